// Saved message templates, grouped by channel: each with its name, a short excerpt of its body (and the
// subject line of e-mail), and a badge on the starters every workspace gets. Campaigns start from them.
import { Link, useLocation } from 'react-router';

import { useSession } from '@/auth/session';
import { Badge } from '@/components/Badge';
import { buttonClass } from '@/components/Button';
import { Card, CardHeader } from '@/components/Card';
import { PlusIcon, TemplateIcon } from '@/components/Icons';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Notice, Skeleton } from '@/components/States';
import { formatRelative } from '@/lib/format';
import { useTemplates } from '@/lib/queries';

import { excerpt, groupByChannel, type Template } from './templates';

function TemplateItem({ t }: { t: Template }) {
  return (
    <li className="px-5 py-3" data-template={t.name}>
      <div className="flex flex-wrap items-center gap-2">
        <Link className="font-medium break-words text-indigo-700 hover:underline" to={`/templates/${t.id}`}>
          {t.name}
        </Link>
        {t.starter && <Badge tone="info">Starter</Badge>}
        <span className="ml-auto text-xs whitespace-nowrap text-slate-600">Changed {formatRelative(t.updated_at)}</span>
      </div>
      {t.subject && (
        <p className="mt-1 text-sm break-words text-slate-800">
          <span className="text-slate-600">Subject:</span> {t.subject}
        </p>
      )}
      <p className="mt-1 font-mono text-xs break-words text-slate-600" data-testid="template-excerpt">
        {excerpt(t.body, t.channel)}
      </p>
    </li>
  );
}

export default function TemplatesPage() {
  const { can } = useSession();
  const templates = useTemplates();
  const writable = can('write');
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;
  const newButton = writable && (
    <Link className={buttonClass('primary')} to="/templates/new">
      <PlusIcon width={16} height={16} /> New template
    </Link>
  );

  return (
    <>
      <PageHeader
        title="Templates"
        description="Messages you reuse: a campaign can start from any of them, and later changes here never alter a campaign already made."
        actions={newButton}
      />
      {deleted && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          Deleted “{deleted}”.
        </p>
      )}
      {!writable && (
        <div className="mb-4">
          <Notice tone="warning">Your role can read templates but not change them.</Notice>
        </div>
      )}
      {templates.isPending ? (
        <Card className="p-5">
          <Skeleton rows={6} />
        </Card>
      ) : templates.isError ? (
        <ErrorState error={templates.error} retry={() => void templates.refetch()} />
      ) : templates.data.items.length === 0 ? (
        <Card>
          <EmptyState title="No templates" icon={<TemplateIcon width={32} height={32} />} action={newButton}>
            Save a message once and start campaigns from it.
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-6">
          {groupByChannel(templates.data.items).map((group) => (
            <Card key={group.channel} aria-labelledby={`templates-${group.channel}`} data-channel={group.channel}>
              <CardHeader
                id={`templates-${group.channel}`}
                title={group.label}
                description={`${group.templates.length} template${group.templates.length === 1 ? '' : 's'}`}
                actions={
                  writable && (
                    <Link
                      className={buttonClass('secondary', 'sm')}
                      to={`/templates/new?channel=${group.channel}`}
                      aria-label={`New ${group.label} template`}
                    >
                      <PlusIcon width={14} height={14} /> New
                    </Link>
                  )
                }
              />
              {group.templates.length === 0 ? (
                <p className="px-5 py-4 text-sm text-slate-600">No {group.label} templates.</p>
              ) : (
                <ul className="divide-y divide-slate-100">
                  {group.templates.map((t) => (
                    <TemplateItem key={t.id} t={t} />
                  ))}
                </ul>
              )}
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
