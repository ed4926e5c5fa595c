// Routes: the public sign-in and setup pages, and everything else inside the signed-in shell. Pages are
// loaded on demand so the first load carries only the shell and the page asked for.
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';

import { ApiProblem } from './api/problem';
import { SessionProvider, useMeQuery } from './auth/session';
// The pages a signed-out visitor meets first are small and part of the first download.
import SetupPage from './auth/SetupPage';
import SignInPage from './auth/SignInPage';
import { ErrorState, Spinner } from './components/States';
import { AppShell } from './layout/AppShell';

/** The page modules, by the first segment of their path, so the one asked for can load at once. */
const pages = {
  '': () => import('./dashboard/DashboardPage'),
  customers: () => import('./customers/CustomersPage'),
  import: () => import('./import/ImportPage'),
  audiences: () => import('./audience/AudiencesPage'),
  campaigns: () => import('./campaigns/CampaignsPage'),
  settings: () => import('./settings/SettingsPage'),
};
// Start loading the current page's code now, in parallel with asking who is signed in, instead of after.
if (typeof window !== 'undefined') {
  const first = window.location.pathname.split('/')[1] ?? '';
  if (first in pages && window.location.pathname.split('/').filter(Boolean).length <= 1) void pages[first as keyof typeof pages]();
}

const DashboardPage = lazy(pages['']);
const CustomersPage = lazy(pages.customers);
const CustomerPage = lazy(() => import('./customers/CustomerPage'));
const ImportPage = lazy(pages.import);
const AudiencesPage = lazy(pages.audiences);
const AudienceEditorPage = lazy(() => import('./audience/AudienceEditorPage'));
const CampaignsPage = lazy(pages.campaigns);
const CampaignPage = lazy(() => import('./campaigns/CampaignPage'));
const NewCampaignPage = lazy(() => import('./campaigns/NewCampaignPage'));
const SettingsPage = lazy(pages.settings);
const NotFoundPage = lazy(() => import('./layout/NotFoundPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // Client errors do not get better by asking again.
      retry: (count, error) => !(error instanceof ApiProblem && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
  queryCache: new QueryCache(),
});

function PageFallback() {
  return (
    <div className="flex min-h-[40vh] items-center justify-center">
      <Spinner />
    </div>
  );
}

function RequireSession({ children }: { children: ReactNode }) {
  const me = useMeQuery();
  const location = useLocation();
  if (me.isPending) return <PageFallback />;
  if (me.isError) {
    return (
      <div className="mx-auto max-w-md p-8">
        <ErrorState error={me.error} retry={() => void me.refetch()} title="Converge cannot be reached" />
      </div>
    );
  }
  if (!me.data) {
    const back = location.pathname + location.search;
    return <Navigate to={back === '/' ? '/sign-in' : `/sign-in?return_to=${encodeURIComponent(back)}`} replace />;
  }
  return <SessionProvider me={me.data}>{children}</SessionProvider>;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Suspense fallback={<PageFallback />}>
          <Routes>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route path="/setup" element={<SetupPage />} />
            <Route
              element={
                <RequireSession>
                  <AppShell />
                </RequireSession>
              }
            >
              <Route index element={<DashboardPage />} />
              <Route path="customers" element={<CustomersPage />} />
              <Route path="customers/:externalId" element={<CustomerPage />} />
              <Route path="import" element={<ImportPage />} />
              <Route path="audiences" element={<AudiencesPage />} />
              <Route path="audiences/new" element={<AudienceEditorPage />} />
              <Route path="audiences/:segmentId" element={<AudienceEditorPage />} />
              <Route path="campaigns" element={<CampaignsPage />} />
              <Route path="campaigns/new" element={<NewCampaignPage />} />
              <Route path="campaigns/:campaignId" element={<CampaignPage />} />
              <Route path="settings" element={<SettingsPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
