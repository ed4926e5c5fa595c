// Launching a draft from its campaign page: the same brand warning and reach as the composer's dialog, and the
// server's full check of the draft (each field it names, with a way back to the editor).
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem } from '@/api/problem';
import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { ErrorState } from '@/components/States';
import { channelLabel, type Campaign } from './shared';
import { useWorkspaceProfile } from '@/lib/queries';

import { BrandWarning } from './BrandWarning';
import { CampaignReach } from './CampaignReach';
import type { ReachBody } from './reach';

export function LaunchDraftDialog({
  campaign: c,
  open,
  onOpenChange,
  onLaunched,
}: {
  campaign: Campaign;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onLaunched: () => void;
}) {
  const profile = useWorkspaceProfile();
  const common = { channel: c.channel, topic: c.topic ?? null };
  const reachBody: ReachBody | null =
    c.segment_id != null
      ? { ...common, segment_id: c.segment_id }
      : c.rule
        ? { ...common, rule: c.rule as ReachBody['rule'] }
        : null;
  const reach = useQuery({
    queryKey: ['campaign-reach', reachBody],
    queryFn: ({ signal }) => unwrap(api.POST('/api/v1/campaigns/reach', { body: reachBody!, signal })),
    enabled: open && reachBody !== null,
    staleTime: 0,
    retry: false,
  });
  const launch = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/campaigns/{id}/launch', {
          params: { path: { id: c.id } },
          body: { send_at: new Date().toISOString() },
        }),
      ),
    onSuccess: () => {
      onOpenChange(false);
      onLaunched();
    },
  });
  const problem = launch.error instanceof ApiProblem ? launch.error : null;
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Send this draft now?"
      description={`“${c.name}” goes out by ${channelLabel(c.channel)}${c.topic ? ` (topic “${c.topic}”)` : ''}, starting now. The audience is fixed when you confirm.`}
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Back
          </Button>
          <Button busy={launch.isPending} onClick={() => launch.mutate()}>
            Send now
          </Button>
        </>
      }
    >
      <div className="space-y-3">
        <BrandWarning profile={profile.data} template={c.template} />
        {reachBody ? (
          <CampaignReach reach={reach} channel={c.channel} />
        ) : (
          <p className="text-sm text-amber-800">This draft has no audience yet.</p>
        )}
        {problem && problem.errors.length > 0 ? (
          <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            <p className="font-medium">Not launched: the draft is not finished.</p>
            <ul className="mt-1 list-disc pl-5">
              {problem.errors.map((e) => (
                <li key={`${e.field}:${e.message}`}>
                  {e.field}: {e.message}
                </li>
              ))}
            </ul>
            <Link className="mt-1 inline-block text-indigo-700 underline" to={`/campaigns/${c.id}/edit`}>
              Fix it in the editor
            </Link>
          </div>
        ) : (
          launch.isError && <ErrorState error={launch.error} title="The campaign was not launched" />
        )}
      </div>
    </Dialog>
  );
}
