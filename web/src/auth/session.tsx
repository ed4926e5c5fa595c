// Who is signed in, and in which workspace they act. `GET /api/v1/auth/me` answers the person, their
// workspaces and the session's CSRF token; the client module carries the token and the workspace on every
// request from then on.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { api, setSession, setUnauthorizedHandler, type Schemas } from '@/api/client';
import { ApiProblem } from '@/api/problem';

export type Me = Schemas['Me'];
export type WorkspaceRole = Schemas['WorkspaceRole'];

const WORKSPACE_KEY = 'converge.workspace';

/** null: nobody is signed in. */
export async function fetchMe(): Promise<Me | null> {
  const { data, response } = await api.GET('/api/v1/auth/me');
  if (response.status === 401) return null;
  if (!response.ok || !data)
    throw new ApiProblem(response.status, 'Cannot load your session', `The server answered ${response.status}.`);
  return data;
}

export const meQuery = { queryKey: ['me'], queryFn: fetchMe, staleTime: 5 * 60_000, retry: 1 } as const;

export function useMeQuery() {
  return useQuery(meQuery);
}

/** The workspace to act in: the remembered one if still a member, else the first. */
export function pickWorkspace(me: Me, remembered: string | null): WorkspaceRole | undefined {
  return me.workspaces.find((w) => w.slug === remembered) ?? me.workspaces[0];
}

interface SessionValue {
  me: Me;
  workspace: WorkspaceRole | undefined;
  switchWorkspace: (slug: string) => void;
  /** Whether the person's role allows it: `manage` (owner, admin), `write` (and member), `read` (anyone). */
  can: (what: 'manage' | 'write' | 'read') => boolean;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const client = useQueryClient();
  const [slug, setSlug] = useState<string | null>(() => localStorage.getItem(WORKSPACE_KEY));
  const workspace = pickWorkspace(me, slug);
  // Set synchronously so the first queries of the children already carry the headers.
  setSession(me.csrf_token, workspace?.slug ?? null);

  useEffect(() => {
    setUnauthorizedHandler(() => client.setQueryData(['me'], null));
    return () => setUnauthorizedHandler(null);
  }, [client]);

  const switchWorkspace = useCallback(
    (next: string) => {
      localStorage.setItem(WORKSPACE_KEY, next);
      setSlug(next);
      setSession(me.csrf_token, next);
      // Everything but the session belongs to the previous workspace.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    },
    [client, me.csrf_token],
  );

  const signOut = useCallback(async () => {
    await api.POST('/api/v1/auth/logout');
    setSession(null, null);
    // The session query's observer stays subscribed to its query, so that one is set, not removed.
    client.setQueryData(['me'], null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
  }, [client]);

  const value = useMemo<SessionValue>(() => {
    const role = workspace?.role;
    const can = (what: 'manage' | 'write' | 'read') => {
      if (!role) return false;
      if (what === 'manage') return role === 'owner' || role === 'admin';
      if (what === 'write') return role !== 'viewer';
      return true;
    };
    return { me, workspace, switchWorkspace, can, signOut };
  }, [me, workspace, switchWorkspace, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
