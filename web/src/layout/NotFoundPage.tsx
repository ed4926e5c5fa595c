import { Link } from 'react-router';

import { buttonClass } from '@/components/Button';
import { PageHeader } from '@/components/Page';
import { EmptyState } from '@/components/States';

export default function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        title="There is nothing here"
        action={
          <Link className={buttonClass('primary')} to="/">
            Go to the dashboard
          </Link>
        }
      >
        The address may be mistyped, or the page was moved.
      </EmptyState>
    </>
  );
}
