// "Start from a template": the saved templates a campaign on the chosen channel can use (every channel's for
// each customer's preferred channel, grouped). Choosing one fills the composer's message with its body, which
// stays editable; when that would throw away text the marketer wrote, a dialog asks first.
import { useState } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { SelectField } from '@/components/Field';
import { groupByChannel, replacingLosesText, templatesFor, type Template } from '@/templates/templates';

import type { SendChannel } from './shared';

export function TemplatePicker({
  templates,
  channel,
  message,
  onPick,
  loading = false,
  error,
}: {
  /** Every template of the workspace; undefined while loading. */
  templates: readonly Template[] | undefined;
  channel: SendChannel;
  /** The composer's message now. */
  message: string;
  onPick: (template: Template) => void;
  loading?: boolean;
  error?: string | undefined;
}) {
  const [chosen, setChosen] = useState<number | null>(null);
  const [asking, setAsking] = useState<Template | null>(null);
  const all = templates ?? [];
  const offered = templatesFor(all, channel);
  // A template of another channel (the channel changed since) is no longer a choice.
  const value = offered.some((t) => t.id === chosen) ? String(chosen) : '';

  const fill = (t: Template) => {
    setChosen(t.id);
    setAsking(null);
    onPick(t);
  };
  const choose = (id: string) => {
    const t = offered.find((o) => String(o.id) === id);
    if (!t) return setChosen(null);
    if (replacingLosesText(message, all)) setAsking(t);
    else fill(t);
  };
  const option = (t: Template) => (
    <option key={t.id} value={t.id}>
      {t.name}
    </option>
  );

  return (
    <>
      <SelectField
        label="Start from a template"
        value={value}
        onChange={(e) => choose(e.target.value)}
        disabled={loading || offered.length === 0}
        errors={error ? [error] : undefined}
        hint={
          <>
            {!loading && offered.length === 0
              ? 'No saved template for this channel yet. '
              : 'Fills the message below with the template; you can still change it here. '}
            <Link className="text-indigo-700 underline" to="/templates">
              Manage templates
            </Link>
          </>
        }
        fieldClassName="max-w-md"
      >
        <option value="">{loading ? 'Loading templates…' : 'Choose a template…'}</option>
        {channel === 'preferred'
          ? groupByChannel(offered)
              .filter((g) => g.templates.length > 0)
              .map((g) => (
                <optgroup key={g.channel} label={g.label}>
                  {g.templates.map(option)}
                </optgroup>
              ))
          : offered.map(option)}
      </SelectField>
      <Dialog
        open={asking !== null}
        onOpenChange={(open) => !open && setAsking(null)}
        title="Replace the message?"
        description={asking ? `“${asking.name}” replaces what you have written in the message.` : undefined}
        footer={
          <>
            <Button variant="secondary" onClick={() => setAsking(null)}>
              Keep my message
            </Button>
            <Button onClick={() => asking && fill(asking)}>Use the template</Button>
          </>
        }
      />
    </>
  );
}
