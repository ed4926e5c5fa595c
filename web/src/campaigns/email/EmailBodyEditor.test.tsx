// @vitest-environment jsdom
// The e-mail body editor: blocks write MJML as they are edited, moved and removed; the footer stays; a body
// the blocks cannot show opens as source with a note; the server's errors sit under the source.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { createRef, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';

import { EmailBodyEditor } from './EmailBodyEditor';
import { fromMjml, toMjml } from './mjml';

afterEach(cleanup);

function Harness({ initial, errors = [] }: { initial: string; errors?: string[] }) {
  const [template, setTemplate] = useState(initial);
  return (
    <>
      <EmailBodyEditor
        template={template}
        onTemplateChange={setTemplate}
        label="Message"
        hint="MJML or HTML"
        rows={5}
        errors={errors}
        area={createRef()}
        insertRef={createRef()}
      />
      <output data-testid="template">{template}</output>
    </>
  );
}

const written = () => screen.getByTestId('template').textContent ?? '';

describe('EmailBodyEditor', () => {
  it('builds an e-mail from blocks, always with the footer', () => {
    render(<Harness initial="" />);
    const add = within(screen.getByRole('group', { name: 'Add a block' }));
    fireEvent.click(add.getByRole('button', { name: '+ Heading' }));
    fireEvent.change(screen.getByLabelText('Heading'), { target: { value: 'Hello & welcome' } });
    fireEvent.click(add.getByRole('button', { name: '+ Button' }));
    fireEvent.change(screen.getByLabelText('Button label'), { target: { value: 'Shop' } });
    fireEvent.change(screen.getByLabelText('Button link'), { target: { value: 'https://brand.example/?a=1&b=2' } });
    expect(fromMjml(written())).toEqual([
      { kind: 'heading', text: 'Hello & welcome' },
      { kind: 'button', label: 'Shop', href: 'https://brand.example/?a=1&b=2' },
    ]);
    expect(written()).toContain('{{ unsubscribe_url }}');

    fireEvent.click(screen.getByRole('button', { name: 'Move Button (block 2) up' }));
    expect(fromMjml(written())?.map((b) => b.kind)).toEqual(['button', 'heading']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Button (block 1)' }));
    expect(fromMjml(written())).toEqual([{ kind: 'heading', text: 'Hello & welcome' }]);
    expect(screen.queryByRole('button', { name: /Remove Footer/ })).toBeNull();
  });

  it('opens MJML it wrote as blocks, and shows its source on request', () => {
    const mjml = toMjml([{ kind: 'text', text: 'Hi there' }]);
    render(<Harness initial={mjml} />);
    expect((screen.getByLabelText('Text') as HTMLTextAreaElement).value).toBe('Hi there');
    fireEvent.click(screen.getByRole('button', { name: 'Source' }));
    expect((screen.getByLabelText('Message') as HTMLTextAreaElement).value).toBe(mjml);
  });

  it('opens a body the blocks cannot show as source, with a note, and the errors under it', () => {
    render(<Harness initial="<p>Hand-written</p>" errors={['line 1, column 4: MJML: something']} />);
    expect(screen.getByTestId('source-note').textContent).toMatch(/Edited by hand: showing the source/);
    expect((screen.getByRole('button', { name: 'Blocks' }) as HTMLButtonElement).disabled).toBe(true);
    const source = screen.getByLabelText('Message');
    expect(source.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('line 1, column 4: MJML: something')).toBeTruthy();
  });
});
