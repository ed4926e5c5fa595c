// Joining from an invitation link (`/join?token=…`): the link says which workspace and role; a new person
// sets a name and password here and is signed in. Someone who has an account already signs in (with a
// password or a provider) and accepts the invitation inside the app, so a link never sets an existing
// account's password.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Button, buttonClass } from '@/components/Button';
import { TextField } from '@/components/Field';
import { ErrorState, Skeleton } from '@/components/States';

import { AuthLayout } from './AuthLayout';

/** Where someone who signs in to accept lands: the invitations wait above every page of the app. */
const ACCEPT_AT = '/';
const SIGN_IN = `/sign-in?return_to=${encodeURIComponent(ACCEPT_AT)}`;

const link = 'font-medium text-indigo-700 hover:underline';

function DeadLink() {
  return (
    <AuthLayout
      title="This invitation link no longer works"
      footer={
        <Link className={link} to="/sign-in">
          Sign in
        </Link>
      }
    >
      <p className="text-sm text-slate-700">
        This invitation link no longer works (used, revoked, replaced or expired). Ask for a new one.
      </p>
    </AuthLayout>
  );
}

function SignInInstead({ email, workspace }: { email: string; workspace: string }) {
  const providers = useQuery({
    queryKey: ['auth-providers'],
    queryFn: () => unwrap(api.GET('/api/v1/auth/providers')),
  });
  return (
    <AuthLayout title={`Join ${workspace}`}>
      <p role="status" className="text-sm text-slate-700">
        You already have an account for <span className="font-medium break-all text-slate-900">{email}</span>: sign in
        and accept the invitation.
      </p>
      <div className="mt-5 space-y-2">
        <Link className={buttonClass('primary', 'md', 'w-full')} to={SIGN_IN}>
          Sign in to accept
        </Link>
        {providers.data?.map((p) => (
          <a
            key={p.name}
            className={buttonClass('secondary', 'md', 'w-full')}
            href={`${p.login_url}?return_to=${encodeURIComponent(ACCEPT_AT)}`}
          >
            Continue with {p.display_name}
          </a>
        ))}
      </div>
    </AuthLayout>
  );
}

export default function JoinPage() {
  const [params] = useSearchParams();
  const token = params.get('token')?.trim() ?? '';
  const client = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', password: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);
  const preview = useQuery({
    queryKey: ['join-preview', token],
    queryFn: () => unwrap(api.POST('/api/v1/auth/join/preview', { body: { token } })),
    enabled: token !== '',
    staleTime: Infinity,
  });
  const join = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/auth/join', {
          body: { token, password: form.password, name: form.name.trim() || null },
        }),
      ),
    onSuccess: (me) => {
      // A new person: nothing cached before belongs to them.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      client.setQueryData(['me'], me);
      navigate('/', { replace: true });
    },
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [key]: e.target.value });
    if (key !== 'name') setMismatch(false);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form.password !== form.confirm) {
      setMismatch(true);
      return;
    }
    join.mutate();
  };

  const problem = join.error instanceof ApiProblem ? join.error : null;
  if (!token) return <DeadLink />;
  if (preview.isPending) {
    return (
      <AuthLayout title="Join Converge">
        <Skeleton rows={4} />
      </AuthLayout>
    );
  }
  const dead = (e: unknown) => e instanceof ApiProblem && e.status === 404;
  if (dead(preview.error) || dead(join.error)) return <DeadLink />;
  if (preview.isError) {
    return (
      <AuthLayout title="Join Converge">
        <ErrorState error={preview.error} retry={() => void preview.refetch()} title="The invitation cannot be read" />
      </AuthLayout>
    );
  }
  const invited = preview.data;
  const taken = problem?.status === 409 && problem.detail.startsWith('email:');
  if (invited.has_account || taken) return <SignInInstead email={invited.email} workspace={invited.workspace_name} />;

  return (
    <AuthLayout
      title={`Join ${invited.workspace_name} as ${invited.role}`}
      subtitle="Choose a name and a password for your new account."
      footer={
        <>
          Have an account for this address?{' '}
          <Link className={link} to={SIGN_IN}>
            Sign in
          </Link>
        </>
      }
    >
      <form className="space-y-4" onSubmit={submit} noValidate>
        <TextField
          label="E-mail"
          type="email"
          autoComplete="username"
          readOnly
          value={invited.email}
          hint="The invitation is for this address."
          className="bg-slate-50"
        />
        <TextField
          label="Your name"
          autoComplete="name"
          value={form.name}
          onChange={set('name')}
          errors={problem?.messagesFor('name')}
        />
        <TextField
          label="Password"
          type="password"
          required
          autoComplete="new-password"
          hint="At least 10 characters."
          value={form.password}
          onChange={set('password')}
          errors={problem?.messagesFor('password')}
        />
        <TextField
          label="Confirm password"
          type="password"
          required
          autoComplete="new-password"
          value={form.confirm}
          onChange={set('confirm')}
          errors={mismatch ? ['The two passwords differ.'] : undefined}
        />
        {join.isError && !taken && !(problem && problem.errors.length > 0) && (
          <p role="alert" className="text-sm font-medium text-red-700">
            {errorMessage(join.error)}
          </p>
        )}
        <Button type="submit" className="w-full" busy={join.isPending}>
          Join {invited.workspace_name}
        </Button>
      </form>
    </AuthLayout>
  );
}
