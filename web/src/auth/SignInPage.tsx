// Sign in with an OpenID provider (Google or whichever is configured) or a local account.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Button, buttonClass } from '@/components/Button';
import { TextField } from '@/components/Field';
import { Skeleton } from '@/components/States';

import { AuthLayout } from './AuthLayout';
import { safeReturnTo } from './returnTo';
import { useMeQuery } from './session';

export default function SignInPage() {
  const [params] = useSearchParams();
  const returnTo = safeReturnTo(params.get('return_to'));
  const me = useMeQuery();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const providers = useQuery({
    queryKey: ['auth-providers'],
    queryFn: () => unwrap(api.GET('/api/v1/auth/providers')),
  });
  const setupStatus = useQuery({ queryKey: ['setup-status'], queryFn: () => unwrap(api.GET('/api/v1/auth/setup')) });
  const login = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/login', { body: { email, password } })),
    onSuccess: (signedIn) => {
      client.setQueryData(['me'], signedIn);
      navigate(returnTo, { replace: true });
    },
  });

  if (me.data) return <Navigate to={returnTo} replace />;
  // Nobody exists yet: the first visitor creates the owner.
  if (setupStatus.data?.required) return <Navigate to="/setup" replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const problem = login.error instanceof ApiProblem ? login.error : null;
  const providerError = params.get('error');

  return (
    <AuthLayout title="Sign in to Converge" subtitle="Customers, audiences and campaigns in one place.">
      {providerError && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {providerError}
        </p>
      )}
      <div className="space-y-2">
        {providers.isPending && <Skeleton rows={1} />}
        {providers.data?.map((p) => (
          <a
            key={p.name}
            className={buttonClass('secondary', 'md', 'w-full')}
            href={`${p.login_url}?return_to=${encodeURIComponent(returnTo)}`}
          >
            Continue with {p.display_name}
          </a>
        ))}
      </div>
      {providers.data && providers.data.length > 0 && (
        <div className="my-5 flex items-center gap-3 text-xs text-slate-600" aria-hidden>
          <span className="h-px flex-1 bg-slate-200" /> or with e-mail <span className="h-px flex-1 bg-slate-200" />
        </div>
      )}
      <form className="space-y-4" onSubmit={submit} noValidate>
        <TextField
          label="E-mail"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          errors={problem?.messagesFor('email')}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          errors={problem?.messagesFor('password')}
        />
        {login.isError && !(problem && problem.errors.length > 0) && (
          <p role="alert" className="text-sm font-medium text-red-700">
            {errorMessage(login.error)}
          </p>
        )}
        <Button type="submit" className="w-full" busy={login.isPending}>
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
