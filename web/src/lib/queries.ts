// Queries several pages share.
import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import { useSession } from '@/auth/session';

export function useSegmentFields() {
  return useQuery({
    queryKey: ['segment-fields'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/segment-fields', { signal })),
    staleTime: 60_000,
  });
}

export function useDashboard() {
  return useQuery({
    queryKey: ['dashboard'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/dashboard', { signal })),
  });
}

/** The workspace's currency (ISO code); money is shown in it. */
export function useCurrency(): string | undefined {
  return useSession().workspace?.currency;
}

/** The workspace's compliance settings (topics, quiet hours, cap, policy). */
export function useCompliance() {
  return useQuery({
    queryKey: ['compliance-settings'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settings/compliance', { signal })),
    staleTime: 60_000,
  });
}

/** The workspace's profile: display and brand name, postal address, country, time zone, logo, senders. */
export function useWorkspaceProfile() {
  return useQuery({
    queryKey: ['workspace'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/workspace', { signal })),
    staleTime: 60_000,
  });
}

/** The workspace's saved message templates (the first listing gives a workspace its starters). */
export function useTemplates() {
  return useQuery({
    queryKey: ['templates'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/templates', { signal })),
    staleTime: 60_000,
  });
}
