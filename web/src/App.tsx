// Routes: the public sign-in and setup pages, and everything else inside the signed-in shell. Pages are
// loaded on demand so the first load carries only the shell and the page asked for.
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';

import { ApiProblem } from './api/problem';
import { SessionProvider, useMeQuery } from './auth/session';
import { ErrorState, Spinner } from './components/States';
import { AppShell } from './layout/AppShell';

const SignInPage = lazy(() => import('./auth/SignInPage'));
const SetupPage = lazy(() => import('./auth/SetupPage'));
const DashboardPage = lazy(() => import('./dashboard/DashboardPage'));
const CustomersPage = lazy(() => import('./customers/CustomersPage'));
const CustomerPage = lazy(() => import('./customers/CustomerPage'));
const ImportPage = lazy(() => import('./import/ImportPage'));
const AudiencesPage = lazy(() => import('./audience/AudiencesPage'));
const AudienceEditorPage = lazy(() => import('./audience/AudienceEditorPage'));
const CampaignsPage = lazy(() => import('./campaigns/CampaignsPage'));
const CampaignPage = lazy(() => import('./campaigns/CampaignPage'));
const NewCampaignPage = lazy(() => import('./campaigns/NewCampaignPage'));
const SettingsPage = lazy(() => import('./settings/SettingsPage'));
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
