// Build an audience and save it as a segment (or change a saved one).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import type { RuleGroupType } from 'react-querybuilder';
import { Link, useNavigate, useParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { Button, buttonClass } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { TextAreaField, TextField } from '@/components/Field';
import { PageHeader } from '@/components/Page';
import { ErrorState, Skeleton } from '@/components/States';
import { ExportCustomersButton } from '@/customers/ExportButton';
import { useCurrency, useSegmentFields } from '@/lib/queries';

import { AudienceBuilder } from './AudienceBuilder';
import { fromServerRule } from './fields';
import { useAudiencePreview } from './usePreview';

const START: RuleGroupType = { combinator: 'and', not: false, rules: [] };

export default function AudienceEditorPage() {
  const { segmentId } = useParams();
  const id = segmentId ? Number(segmentId) : null;
  const catalogue = useSegmentFields();
  const currency = useCurrency();
  const { can } = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const segment = useQuery({
    queryKey: ['segment', id],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/segments/{id}', { params: { path: { id: id! } }, signal })),
    enabled: id !== null,
  });
  const [query, setQuery] = useState<RuleGroupType>(START);
  const [meta, setMeta] = useState({ name: '', description: '' });
  const [saveOpen, setSaveOpen] = useState(false);
  useEffect(() => {
    if (segment.data) {
      setQuery(fromServerRule(segment.data.rule));
      setMeta({ name: segment.data.name, description: segment.data.description });
    }
  }, [segment.data]);
  const audience = useAudiencePreview(query, catalogue.data);

  const save = useMutation({
    mutationFn: () => {
      const body = { name: meta.name, description: meta.description, rule: audience.serverRule };
      return id === null
        ? unwrap(api.POST('/api/v1/segments', { body }))
        : unwrap(api.PUT('/api/v1/segments/{id}', { params: { path: { id } }, body }));
    },
    onSuccess: (saved) => {
      setSaveOpen(false);
      void client.invalidateQueries({ queryKey: ['segments'] });
      client.setQueryData(['segment', saved.id], saved);
      if (id === null) navigate(`/audiences/${saved.id}`, { replace: true });
    },
  });
  const problem = save.error instanceof ApiProblem ? save.error : null;
  const nameErrors = problem?.messagesFor('name');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  if (catalogue.isError) return <ErrorState error={catalogue.error} retry={() => void catalogue.refetch()} />;
  if (segment.isError) return <ErrorState error={segment.error} retry={() => void segment.refetch()} />;
  const title = id === null ? 'New audience' : (segment.data?.name ?? 'Audience');

  return (
    <>
      <PageHeader
        title={title}
        description="Combine conditions with AND/OR groups; the count is exact and updates as you type."
        back={
          <Link to="/audiences" className="mb-1 inline-block text-sm text-indigo-700 hover:underline">
            ← Audiences
          </Link>
        }
        actions={
          <>
            <ExportCustomersButton
              source={{ rule: audience.serverRule }}
              filename={id === null ? 'audience-customers.csv' : `audience-${id}-customers.csv`}
              label="Export customers (CSV)"
              disabled={audience.incomplete.size > 0 || !catalogue.data}
            />
            {id !== null && (
              <Link className={buttonClass('secondary')} to={`/campaigns/new?segment=${id}`}>
                Create campaign
              </Link>
            )}
            {can('write') && (
              <Button onClick={() => setSaveOpen(true)} disabled={audience.incomplete.size > 0}>
                {id === null ? 'Save as segment' : 'Save changes'}
              </Button>
            )}
          </>
        }
      />
      {save.isSuccess && !saveOpen && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          Saved “{save.data.name}” ({save.data.size ?? 0} customers now).
        </p>
      )}
      {problem && !saveOpen && problem.under('rule').length > 0 && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          Not saved: the rule needs fixing (see the conditions).
        </p>
      )}
      {!catalogue.data || (id !== null && segment.isPending) ? (
        <Skeleton rows={6} />
      ) : (
        <AudienceBuilder
          catalogue={catalogue.data}
          query={query}
          onQueryChange={setQuery}
          audience={audience}
          extraProblem={problem}
          currency={currency}
        />
      )}
      <Dialog
        open={saveOpen}
        onOpenChange={setSaveOpen}
        title={id === null ? 'Save as segment' : 'Save segment'}
        description={
          audience.preview.data
            ? `${audience.preview.data.count.toLocaleString('en-US')} customers match now.`
            : undefined
        }
      >
        <form onSubmit={submit} className="space-y-4" noValidate>
          <TextField
            label="Name"
            required
            autoFocus
            value={meta.name}
            onChange={(e) => setMeta({ ...meta, name: e.target.value })}
            errors={nameErrors}
          />
          <TextAreaField
            label="Description"
            hint="Optional: who this is and why."
            value={meta.description}
            onChange={(e) => setMeta({ ...meta, description: e.target.value })}
            errors={problem?.messagesFor('description')}
          />
          {save.isError && !(nameErrors && nameErrors.length) && (
            <p role="alert" className="text-sm font-medium text-red-700">
              {errorMessage(save.error)}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setSaveOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" busy={save.isPending}>
              Save
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
