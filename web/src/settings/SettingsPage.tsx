// Workspace settings: the brand (what customers see), members and roles, API keys, and how each channel is
// delivered (consent and compliance have their own page, compliance/CompliancePage; so has the audit log,
// audit/AuditPage). The open section is in the address (`/settings?tab=brand`), so a link can lead to it.
import { Tabs } from 'radix-ui';
import { Link, useSearchParams } from 'react-router';

import { useSession } from '@/auth/session';
import { buttonClass } from '@/components/Button';
import { PageHeader } from '@/components/Page';
import { Notice } from '@/components/States';

import { ApiKeys } from './ApiKeys';
import { Brand } from './Brand';
import { Channels } from './Channels';
import { Members } from './Members';

const tab =
  'rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 data-[state=active]:bg-white data-[state=active]:text-indigo-700 data-[state=active]:shadow-sm';

const SECTIONS = [
  { value: 'brand', label: 'Brand' },
  { value: 'members', label: 'Members' },
  { value: 'api-keys', label: 'API keys' },
  { value: 'channels', label: 'Channels' },
] as const;

export default function SettingsPage() {
  const { can, workspace } = useSession();
  const manage = can('manage');
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const section: string = SECTIONS.find((s) => s.value === requested)?.value ?? SECTIONS[0].value;
  const open = (value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set('tab', value);
        return next;
      },
      { replace: true },
    );
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          workspace
            ? `Workspace “${workspace.name}”. You are ${/^[aeiou]/.test(workspace.role) ? 'an' : 'a'} ${workspace.role}.`
            : undefined
        }
        actions={
          <>
            {manage && (
              <Link to="/settings/audit" className={buttonClass('secondary')}>
                Audit log
              </Link>
            )}
            <Link to="/settings/compliance" className={buttonClass('secondary')}>
              Consent and compliance
            </Link>
          </>
        }
      />
      <Tabs.Root value={section} onValueChange={open}>
        <Tabs.List
          aria-label="Settings sections"
          className="mb-6 inline-flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1"
        >
          {SECTIONS.map((s) => (
            <Tabs.Trigger key={s.value} className={tab} value={s.value}>
              {s.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="brand">
          <Brand manage={manage} />
        </Tabs.Content>
        <Tabs.Content value="members">
          <Members manage={manage} />
        </Tabs.Content>
        <Tabs.Content value="api-keys">
          {manage ? <ApiKeys /> : <Notice tone="warning">Only owners and admins manage API keys.</Notice>}
        </Tabs.Content>
        <Tabs.Content value="channels">
          {can('write') ? (
            <Channels manage={manage} />
          ) : (
            <Notice tone="warning">Your role cannot see channel settings.</Notice>
          )}
        </Tabs.Content>
      </Tabs.Root>
    </>
  );
}
