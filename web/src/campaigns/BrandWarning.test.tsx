// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import type { WorkspaceProfile } from '@/settings/brand';

import { BrandWarning } from './BrandWarning';

const profile: WorkspaceProfile = {
  id: 1,
  slug: 'tanvi-foods',
  name: 'Tanvi Foods',
  brand_name: null,
  timezone: 'Asia/Kolkata',
  currency: 'INR',
};

function show(p: WorkspaceProfile | undefined, template: string) {
  return render(
    <MemoryRouter>
      <BrandWarning profile={p} template={template} />
    </MemoryRouter>,
  );
}

afterEach(cleanup);

describe('the launch dialog brand warning', () => {
  it('warns when the brand name is unset and the message uses it, with a link to set it', () => {
    show(profile, 'Hi {{ first_name }}, love from {{ brand }}');
    const note = screen.getByTestId('brand-warning');
    expect(note.textContent).toBe(
      'Your brand name is not set: messages will say “Tanvi Foods” where templates use {{ brand }}. Set it in Settings → Brand.',
    );
    expect(screen.getByRole('link', { name: 'Settings → Brand' }).getAttribute('href')).toBe('/settings?tab=brand');
  });

  it('says nothing when the brand is set, the message does not use it, or the profile is not loaded', () => {
    show({ ...profile, brand_name: 'Tanvi' }, '{{ brand }}');
    show(profile, 'Hi {{ first_name }}');
    show(undefined, '{{ brand }}');
    expect(screen.queryByTestId('brand-warning')).toBeNull();
  });
});
