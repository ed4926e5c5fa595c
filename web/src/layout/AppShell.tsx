// The signed-in frame: a sidebar on wide screens, a top bar with a menu drawer on narrow ones.
import { Dialog as D } from 'radix-ui';
import { useState, type ReactNode } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';

import { PendingInvitations } from '@/auth/PendingInvitations';
import { useSession } from '@/auth/session';
import { Button } from '@/components/Button';
import {
  BlockIcon,
  CloseIcon,
  FilterIcon,
  HomeIcon,
  LogoMark,
  MenuIcon,
  SendIcon,
  SettingsIcon,
  ShieldIcon,
  TemplateIcon,
  UploadIcon,
  UsersIcon,
} from '@/components/Icons';
import { cx } from '@/lib/cx';

const NAV: Array<{ to: string; label: string; icon: ReactNode; end?: boolean }> = [
  { to: '/', label: 'Dashboard', icon: <HomeIcon />, end: true },
  { to: '/customers', label: 'Customers', icon: <UsersIcon /> },
  { to: '/import', label: 'Import', icon: <UploadIcon /> },
  { to: '/audiences', label: 'Audiences', icon: <FilterIcon /> },
  { to: '/campaigns', label: 'Campaigns', icon: <SendIcon /> },
  { to: '/templates', label: 'Templates', icon: <TemplateIcon /> },
  { to: '/suppressions', label: 'Suppression list', icon: <BlockIcon /> },
  { to: '/settings/compliance', label: 'Compliance', icon: <ShieldIcon /> },
  { to: '/settings', label: 'Settings', icon: <SettingsIcon />, end: true },
];

function Nav({ onNavigate }: { onNavigate?: () => void }) {
  return (
    <nav aria-label="Main" className="flex flex-col gap-1">
      {NAV.map((item) => (
        <NavLink
          key={item.to}
          to={item.to}
          end={item.end}
          onClick={onNavigate}
          className={({ isActive }) =>
            cx(
              'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600',
              isActive ? 'bg-indigo-50 text-indigo-700' : 'text-slate-700 hover:bg-slate-100 hover:text-slate-900',
            )
          }
        >
          {item.icon}
          {item.label}
        </NavLink>
      ))}
    </nav>
  );
}

function Brand() {
  return (
    <div className="flex items-center gap-2 px-1">
      <LogoMark />
      <span className="text-lg font-semibold tracking-tight text-slate-900">Converge</span>
    </div>
  );
}

function Account() {
  const { me, workspace, switchWorkspace, signOut } = useSession();
  return (
    <div className="space-y-3 border-t border-slate-200 pt-4">
      {me.workspaces.length > 1 ? (
        <div>
          <label htmlFor="workspace-switch" className="mb-1 block text-xs font-medium text-slate-600">
            Workspace
          </label>
          <select
            id="workspace-switch"
            className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
            value={workspace?.slug}
            onChange={(e) => switchWorkspace(e.target.value)}
          >
            {me.workspaces.map((w) => (
              <option key={w.slug} value={w.slug}>
                {w.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        workspace && (
          <p className="text-xs text-slate-600">
            Workspace <span className="font-medium text-slate-800">{workspace.name}</span>
          </p>
        )
      )}
      <div className="min-w-0">
        <p className="truncate text-sm font-medium text-slate-900" title={me.email}>
          {me.name || me.email}
        </p>
        <p className="truncate text-xs text-slate-600">
          {me.name ? me.email : null} {workspace && `· ${workspace.role}`}
        </p>
      </div>
      <Button variant="secondary" size="sm" className="w-full" onClick={() => void signOut()}>
        Sign out
      </Button>
    </div>
  );
}

export function AppShell() {
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <aside className="fixed inset-y-0 left-0 hidden w-60 flex-col justify-between border-r border-slate-200 bg-white px-4 py-5 lg:flex">
        <div className="space-y-6">
          <Brand />
          <Nav />
        </div>
        <Account />
      </aside>
      <div className="sticky top-0 z-30 flex items-center justify-between border-b border-slate-200 bg-white/95 px-4 py-3 backdrop-blur lg:hidden">
        <Brand />
        <D.Root open={menuOpen} onOpenChange={setMenuOpen}>
          <D.Trigger asChild>
            <Button variant="ghost" size="sm" aria-label="Open menu">
              <MenuIcon />
            </Button>
          </D.Trigger>
          <D.Portal>
            <D.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
            <D.Content className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col justify-between bg-white px-4 py-5 shadow-xl focus:outline-none">
              <D.Title className="sr-only">Menu</D.Title>
              <D.Description className="sr-only">Go to a page of Converge</D.Description>
              <div className="space-y-6">
                <div className="flex items-center justify-between">
                  <Brand />
                  <D.Close asChild>
                    <Button variant="ghost" size="sm" aria-label="Close menu">
                      <CloseIcon />
                    </Button>
                  </D.Close>
                </div>
                <Nav onNavigate={() => setMenuOpen(false)} />
              </div>
              <Account />
            </D.Content>
          </D.Portal>
        </D.Root>
      </div>
      <main id="main" className="lg:pl-60" key={location.pathname.split('/')[1]}>
        <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
          <PendingInvitations />
          <Outlet />
        </div>
      </main>
    </div>
  );
}
