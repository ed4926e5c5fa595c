// Workspace settings: members and roles, API keys, and how each channel is delivered (consent and compliance
// have their own page, compliance/CompliancePage).
import { Tabs } from 'radix-ui';
import { Link } from 'react-router';

import { useSession } from '@/auth/session';
import { buttonClass } from '@/components/Button';
import { PageHeader } from '@/components/Page';
import { Notice } from '@/components/States';

import { ApiKeys } from './ApiKeys';
import { Channels } from './Channels';
import { Members } from './Members';

const tab =
  'rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 data-[state=active]:bg-white data-[state=active]:text-indigo-700 data-[state=active]:shadow-sm';

export default function SettingsPage() {
  const { can, workspace } = useSession();
  const manage = can('manage');
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
          <Link to="/settings/compliance" className={buttonClass('secondary')}>
            Consent and compliance
          </Link>
        }
      />
      <Tabs.Root defaultValue="members">
        <Tabs.List
          aria-label="Settings sections"
          className="mb-6 inline-flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1"
        >
          <Tabs.Trigger className={tab} value="members">
            Members
          </Tabs.Trigger>
          <Tabs.Trigger className={tab} value="api-keys">
            API keys
          </Tabs.Trigger>
          <Tabs.Trigger className={tab} value="channels">
            Channels
          </Tabs.Trigger>
        </Tabs.List>
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
