// The launch dialog's warning when the workspace has no brand name yet and the message uses `{{ brand }}`:
// the server then renders the display name, which was likely never meant for customers.
import { Link } from 'react-router';

import { usesBrand, type WorkspaceProfile } from '@/settings/brand';

export function BrandWarning({ profile, template }: { profile: WorkspaceProfile | undefined; template: string }) {
  if (!profile || profile.brand_name != null || !usesBrand(template)) return null;
  return (
    <div
      role="note"
      data-testid="brand-warning"
      className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
    >
      Your brand name is not set: messages will say “{profile.name}” where templates use{' '}
      <code className="font-mono text-xs">{'{{ brand }}'}</code>. Set it in{' '}
      <Link className="font-medium underline" to="/settings?tab=brand">
        Settings → Brand
      </Link>
      .
    </div>
  );
}
