// Import customers or orders from a CSV file: pick the file, map its columns (pre-filled from the headings by
// the fields' names, labels and the server's synonyms), say how its dates are written, check it with a dry
// run that lists every bad row, then ingest the valid rows through the same pipeline as the API. The rows
// refused can be downloaded as a CSV with an `error` column, to fix and import again.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type ChangeEvent } from 'react';
import { Link } from 'react-router';

import { api, unwrap, type Schemas } from '@/api/client';
import { errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { Button, buttonClass } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { inputClass, SelectField } from '@/components/Field';
import { PageHeader } from '@/components/Page';
import { ErrorState, Notice, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { cx } from '@/lib/cx';
import { formatCount } from '@/lib/format';
import { useWorkspaceProfile } from '@/lib/queries';

import { countDataRows, headerRow } from './csv';
import { attributeKey, autoMap, DATE_FORMATS, missingRequired, type DateFormat } from './mapping';
import { downloadRejectedCsv } from './rejected';

type Kind = 'customers' | 'orders';
type Report = Schemas['ImportReport'];

interface LoadedFile {
  name: string;
  text: string;
  headers: string[];
  rows: number;
}

/** The country's name in the browser's language ("IN" → "India"), or the code itself. */
function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region', fallback: 'code' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Under Phone: how numbers without a country code are read (the workspace's default country). */
function PhoneCountryNote() {
  const profile = useWorkspaceProfile();
  if (profile.isPending) return <span>Numbers without a country code are read as numbers of …</span>;
  if (profile.isError)
    return <span>Numbers without a country code are read as numbers of the default country (Settings → Brand).</span>;
  const country = profile.data?.default_country;
  return (
    <span data-testid="phone-country-note">
      {country ? (
        <>
          Numbers without a country code are read as numbers of {countryName(country)} ({country}).
        </>
      ) : (
        <>
          Numbers without a country code cannot be read until you{' '}
          <Link to="/settings?tab=brand" className="font-medium text-indigo-700 underline">
            set a default country in Settings → Brand
          </Link>
          .
        </>
      )}
    </span>
  );
}

function ReportView({ report, dryRun, fileName }: { report: Report; dryRun: boolean; fileName: string }) {
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-3 gap-3 text-center">
        <div className="rounded-lg bg-slate-50 p-3">
          <p className="text-xs text-slate-600">Rows</p>
          <p className="text-xl font-semibold tabular-nums">{formatCount(report.rows)}</p>
        </div>
        <div className="rounded-lg bg-emerald-50 p-3">
          <p className="text-xs text-emerald-800">{dryRun ? 'Valid' : 'Imported'}</p>
          <p className="text-xl font-semibold text-emerald-900 tabular-nums" data-testid="import-accepted">
            {formatCount(report.accepted)}
          </p>
        </div>
        <div className="rounded-lg bg-red-50 p-3">
          <p className="text-xs text-red-800">{dryRun ? 'With errors' : 'Skipped'}</p>
          <p className="text-xl font-semibold text-red-900 tabular-nums" data-testid="import-rejected">
            {formatCount(report.rejected)}
          </p>
        </div>
      </div>
      {report.errors.length > 0 && (
        <Table label="Rows with errors">
          <thead className="bg-slate-50">
            <tr>
              <Th>Line</Th>
              <Th>Column</Th>
              <Th>Problem</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {report.errors.map((e, i) => (
              <Tr key={i}>
                <Td className="tabular-nums">{e.row}</Td>
                <Td className="text-xs">
                  {e.column ? (
                    <>
                      {e.column} <span className="font-mono text-slate-600">({e.field})</span>
                    </>
                  ) : (
                    <span className="font-mono">{e.field}</span>
                  )}
                </Td>
                <Td className="text-red-800">{e.message}</Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      {report.errors_truncated && (
        <p className="text-xs text-slate-600">Only the first errors are listed; the download has every row.</p>
      )}
      {report.rejected_csv && (
        <div className="flex flex-wrap items-center gap-3">
          <Button variant="secondary" onClick={() => downloadRejectedCsv(report.rejected_csv!, fileName)}>
            Download rejected rows (CSV)
          </Button>
          <p className="text-xs text-slate-600">
            Every rejected row with its columns and an <code>error</code> column: fix them and import that file.
          </p>
        </div>
      )}
    </div>
  );
}

export default function ImportPage() {
  const { can } = useSession();
  const client = useQueryClient();
  const [kind, setKind] = useState<Kind>('customers');
  const [file, setFile] = useState<LoadedFile | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [extras, setExtras] = useState<Record<string, string>>({}); // CSV column → attribute key
  const [dateFormat, setDateFormat] = useState<DateFormat>('iso');
  const importFields = useQuery({
    queryKey: ['import-fields'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/import-fields', { signal })),
  });
  const fields = useMemo(() => importFields.data?.[kind] ?? [], [importFields.data, kind]);

  const body = (dryRun: boolean) => {
    const full: Record<string, string> = {};
    for (const [name, column] of Object.entries(mapping)) if (column) full[name] = column;
    if (kind === 'customers')
      for (const [column, key] of Object.entries(extras)) if (key) full[`attributes.${key}`] = column;
    return { kind, csv: file!.text, mapping: full, date_format: dateFormat, dry_run: dryRun };
  };
  const check = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/imports', { body: body(true) })) });
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/imports', { body: body(false) })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['customers'] });
      void client.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
  const reset = () => {
    check.reset();
    run.reset();
  };

  const remap = (nextKind: Kind, loaded: LoadedFile | null) => {
    const list = importFields.data?.[nextKind] ?? [];
    setMapping(loaded ? autoMap(list, loaded.headers) : {});
    setExtras({});
    reset();
  };

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const picked = e.target.files?.[0];
    setFileError(null);
    if (!picked) return;
    const text = await picked.text();
    const headers = headerRow(text);
    if (headers.length === 0 || headers.every((h) => !h)) {
      setFile(null);
      setFileError('This file has no header row. The first line must name the columns.');
      return;
    }
    const loaded = { name: picked.name, text, headers, rows: countDataRows(text) };
    setFile(loaded);
    remap(kind, loaded);
  };

  // A file picked before the list of fields arrived (a slow network, a quick hand) is mapped once it does;
  // otherwise it would stay unmapped and "Check the file" disabled until the kind is switched.
  const fieldsData = importFields.data;
  useEffect(() => {
    if (fieldsData && file && Object.keys(mapping).length === 0)
      setMapping(autoMap(fieldsData[kind] ?? [], file.headers));
  }, [fieldsData, file, kind, mapping]);

  const mappedColumns = new Set(Object.values(mapping).filter(Boolean));
  const unmapped = file ? file.headers.filter((h) => h && !mappedColumns.has(h)) : [];
  const missing = missingRequired(fields, mapping);
  const report = run.data ?? check.data;

  return (
    <>
      <PageHeader
        title="Import"
        description="Bring in customers or orders from a CSV file. Valid rows go through the same checks and pipeline as the API."
      />
      {!can('write') && <Notice tone="warning">Your role can read but not import. Ask an admin.</Notice>}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Card>
            <CardHeader title="1. Choose a file" />
            <CardBody className="grid gap-4 sm:grid-cols-2">
              <SelectField
                label="What the file holds"
                value={kind}
                onChange={(e) => {
                  const next = e.target.value as Kind;
                  setKind(next);
                  remap(next, file);
                }}
              >
                <option value="customers">Customers</option>
                <option value="orders">Orders</option>
              </SelectField>
              <div>
                <label htmlFor="import-file" className="mb-1 block text-sm font-medium text-slate-800">
                  CSV file
                </label>
                <input
                  id="import-file"
                  type="file"
                  accept=".csv,text/csv"
                  onChange={(e) => void onFile(e)}
                  className={cx(
                    inputClass,
                    'file:mr-3 file:rounded file:border-0 file:bg-indigo-50 file:px-2 file:py-1 file:text-indigo-700',
                  )}
                />
                {file && (
                  <p className="mt-1 text-xs text-slate-600">
                    {file.name}: {formatCount(file.rows)} rows, {file.headers.length} columns
                  </p>
                )}
                {fileError && (
                  <p role="alert" className="mt-1 text-xs font-medium text-red-700">
                    {fileError}
                  </p>
                )}
              </div>
            </CardBody>
          </Card>

          {file && (
            <Card>
              <CardHeader
                title="2. Map the columns"
                description="Each field takes the CSV column chosen for it. Columns are matched by their headings, common ones like “Full Name” or “Mobile” included; change any that is wrong."
              />
              <CardBody>
                {importFields.isPending ? (
                  <Skeleton rows={4} />
                ) : importFields.isError ? (
                  <ErrorState error={importFields.error} retry={() => void importFields.refetch()} />
                ) : (
                  <div className="grid gap-3 sm:grid-cols-2">
                    {fields.map((f) => (
                      <SelectField
                        key={f.name}
                        label={
                          <>
                            {f.label}
                            {f.required && <span className="text-red-700"> *</span>}
                          </>
                        }
                        hint={
                          // The server's description says "the default country"; the note names it.
                          f.name === 'phone' ? <PhoneCountryNote /> : f.description || f.name
                        }
                        value={mapping[f.name] ?? ''}
                        onChange={(e) => {
                          setMapping({ ...mapping, [f.name]: e.target.value });
                          reset();
                        }}
                      >
                        <option value="">— not imported —</option>
                        {file.headers.filter(Boolean).map((h) => (
                          <option key={h} value={h}>
                            {h}
                          </option>
                        ))}
                      </SelectField>
                    ))}
                  </div>
                )}
                <SelectField
                  label="Dates are written as"
                  fieldClassName="mt-6 sm:max-w-xs"
                  hint={`For example ${DATE_FORMATS.find((d) => d.value === dateFormat)!.example}. Full timestamps with a time zone are always understood.`}
                  value={dateFormat}
                  onChange={(e) => {
                    setDateFormat(e.target.value as DateFormat);
                    reset();
                  }}
                >
                  {DATE_FORMATS.map((d) => (
                    <option key={d.value} value={d.value}>
                      {d.label}
                    </option>
                  ))}
                </SelectField>
                {kind === 'customers' && unmapped.length > 0 && (
                  <fieldset className="mt-6">
                    <legend className="text-sm font-medium text-slate-800">Other columns as custom attributes</legend>
                    <div className="mt-2 space-y-2">
                      {unmapped.map((h) => {
                        const on = h in extras;
                        return (
                          <div key={h} className="flex flex-wrap items-center gap-3">
                            <label className="inline-flex items-center gap-2 text-sm">
                              <input
                                type="checkbox"
                                className="size-4 accent-indigo-600"
                                checked={on}
                                onChange={() => {
                                  const next = { ...extras };
                                  if (on) delete next[h];
                                  else next[h] = attributeKey(h);
                                  setExtras(next);
                                  reset();
                                }}
                              />
                              {h}
                            </label>
                            {on && (
                              <input
                                aria-label={`Attribute key for ${h}`}
                                className={cx(inputClass, 'w-48 font-mono text-xs')}
                                value={extras[h]}
                                onChange={(e) => setExtras({ ...extras, [h]: e.target.value })}
                              />
                            )}
                          </div>
                        );
                      })}
                    </div>
                  </fieldset>
                )}
                {missing.length > 0 && (
                  <p className="mt-4 text-sm text-amber-800">
                    Choose a column for {missing.map((f) => f.label).join(', ')}.
                  </p>
                )}
                <div className="mt-5 flex flex-wrap gap-2">
                  <Button
                    onClick={() => check.mutate()}
                    busy={check.isPending}
                    disabled={missing.length > 0 || !can('write')}
                  >
                    Check the file
                  </Button>
                </div>
                {check.isError && (
                  <div className="mt-4">
                    <ErrorState error={check.error} title="The check failed" />
                  </div>
                )}
              </CardBody>
            </Card>
          )}

          {report && (
            <Card>
              <CardHeader
                title={run.data ? '4. Imported' : '3. Check the results'}
                description={
                  run.data
                    ? 'Valid rows are on their way in; they show in Customers within seconds.'
                    : 'Rows with errors are not imported. Fix them in the file and import it again, or import the valid rows now.'
                }
              />
              <CardBody className="space-y-4">
                <ReportView report={report} dryRun={!run.data} fileName={file?.name ?? 'import.csv'} />
                {run.data ? (
                  <Link className={buttonClass('primary')} to="/customers">
                    See customers
                  </Link>
                ) : (
                  <Button onClick={() => run.mutate()} busy={run.isPending} disabled={report.accepted === 0}>
                    Import {formatCount(report.accepted)} valid {report.accepted === 1 ? 'row' : 'rows'}
                  </Button>
                )}
                {run.isError && (
                  <p role="alert" className="text-sm font-medium text-red-700">
                    {errorMessage(run.error)}
                  </p>
                )}
              </CardBody>
            </Card>
          )}
        </div>
        <Card className="h-fit">
          <CardHeader title="Tips" />
          <CardBody className="space-y-2 text-sm text-slate-700">
            <p>The first line names the columns. Any column order works.</p>
            <p>
              Customers are matched by external ID: importing one again updates it. An ID repeated in the file is
              reported on its later rows.
            </p>
            <p>
              Phone numbers with <code>+</code> and the country code are taken as they are; others are read as numbers
              of the workspace&apos;s default country.
            </p>
            <p>
              Orders are idempotent by external ID, and an order for a customer not imported yet creates a bare profile.
            </p>
            <p>
              Amounts are decimals in the workspace currency, like <code>1499.00</code>.
            </p>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
