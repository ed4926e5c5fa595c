// Routes: the public sign-in, setup and join (invitation link) pages, and everything else inside the signed-in
// shell. Pages are loaded on demand so the first load carries only the shell and the page asked for.
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';

import { ApiProblem } from './api/problem';
import { meQuery, SessionProvider, useMeQuery } from './auth/session';
// The pages a signed-out visitor meets first are small and part of the first download.
import JoinPage from './auth/JoinPage';
import SetupPage from './auth/SetupPage';
import SignInPage from './auth/SignInPage';
import { ErrorState, Spinner } from './components/States';
import { AppShell } from './layout/AppShell';
import { lazyPage } from './lib/lazyPage';

/** The signed-in pages, loaded on demand; the current one starts loading at boot (see `preloadCurrent`). */
const Dashboard = lazyPage(() => import('./dashboard/DashboardPage'));
const Customers = lazyPage(() => import('./customers/CustomersPage'));
const Customer = lazyPage(() => import('./customers/CustomerPage'));
const Import = lazyPage(() => import('./import/ImportPage'));
const Audiences = lazyPage(() => import('./audience/AudiencesPage'));
const AudienceEditor = lazyPage(() => import('./audience/AudienceEditorPage'));
const Campaigns = lazyPage(() => import('./campaigns/CampaignsPage'));
const Campaign = lazyPage(() => import('./campaigns/CampaignPage'));
const NewCampaign = lazyPage(() => import('./campaigns/NewCampaignPage'));
const Templates = lazyPage(() => import('./templates/TemplatesPage'));
const TemplateEditor = lazyPage(() => import('./templates/TemplateEditorPage'));
const Settings = lazyPage(() => import('./settings/SettingsPage'));
const Audit = lazyPage(() => import('./audit/AuditPage'));
const Compliance = lazyPage(() => import('./compliance/CompliancePage'));
const Suppressions = lazyPage(() => import('./compliance/SuppressionsPage'));
const NotFound = lazyPage(() => import('./layout/NotFoundPage'));

/** Starts loading the page the address names, in parallel with asking who is signed in. */
function preloadCurrent(path: string) {
  const [first = '', second, third] = path.split('/').filter(Boolean);
  const byFirst: Record<string, { preload: () => unknown } | undefined> = {
    '': Dashboard,
    customers: second ? Customer : Customers,
    import: Import,
    audiences: second ? AudienceEditor : Audiences,
    campaigns: second === 'new' || third === 'edit' ? NewCampaign : second ? Campaign : Campaigns,
    templates: second ? TemplateEditor : Templates,
    suppressions: Suppressions,
    settings: second === 'compliance' ? Compliance : second === 'audit' ? Audit : Settings,
  };
  void byFirst[first]?.preload();
}
if (typeof window !== 'undefined') preloadCurrent(window.location.pathname);

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
// Who is signed in decides what to show first: ask before React's first render, not after it.
if (typeof window !== 'undefined') void queryClient.prefetchQuery(meQuery);

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
            <Route path="/join" element={<JoinPage />} />
            <Route
              element={
                <RequireSession>
                  <AppShell />
                </RequireSession>
              }
            >
              <Route index element={<Dashboard.Page />} />
              <Route path="customers" element={<Customers.Page />} />
              <Route path="customers/:externalId" element={<Customer.Page />} />
              <Route path="import" element={<Import.Page />} />
              <Route path="audiences" element={<Audiences.Page />} />
              <Route path="audiences/new" element={<AudienceEditor.Page />} />
              <Route path="audiences/:segmentId" element={<AudienceEditor.Page />} />
              <Route path="campaigns" element={<Campaigns.Page />} />
              <Route path="campaigns/new" element={<NewCampaign.Page />} />
              <Route path="campaigns/:campaignId" element={<Campaign.Page />} />
              <Route path="campaigns/:campaignId/edit" element={<NewCampaign.Page />} />
              <Route path="templates" element={<Templates.Page />} />
              <Route path="templates/new" element={<TemplateEditor.Page />} />
              <Route path="templates/:templateId" element={<TemplateEditor.Page />} />
              <Route path="suppressions" element={<Suppressions.Page />} />
              <Route path="settings" element={<Settings.Page />} />
              <Route path="settings/compliance" element={<Compliance.Page />} />
              <Route path="settings/audit" element={<Audit.Page />} />
              <Route path="*" element={<NotFound.Page />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
