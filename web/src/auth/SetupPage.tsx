// First run: the owner account, created with the one-time token the server printed at its first start.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Button } from '@/components/Button';
import { TextField } from '@/components/Field';

import { AuthLayout } from './AuthLayout';

export default function SetupPage() {
  const [params] = useSearchParams();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState({ token: params.get('token') ?? '', name: '', email: '', password: '' });
  const setup = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/auth/setup', {
          body: {
            token: form.token.trim(),
            email: form.email,
            password: form.password,
            name: form.name.trim() || null,
          },
        }),
      ),
    onSuccess: (me) => {
      client.setQueryData(['setup-status'], { required: false });
      client.setQueryData(['me'], me);
      navigate('/', { replace: true });
    },
  });
  const status = useQuery({ queryKey: ['setup-status'], queryFn: () => unwrap(api.GET('/api/v1/auth/setup')) });
  const problem = setup.error instanceof ApiProblem ? setup.error : null;
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setup.mutate();
  };

  // Someone exists already (and this is not the answer to our own setup): sign in instead.
  if (status.data && !status.data.required && !setup.isSuccess) return <Navigate to="/sign-in" replace />;

  return (
    <AuthLayout
      title="Set up Converge"
      subtitle="Create the owner account. The setup token is printed in the server's console at its first start."
      footer={
        <>
          Already set up?{' '}
          <Link className="font-medium text-indigo-700 hover:underline" to="/sign-in">
            Sign in
          </Link>
        </>
      }
    >
      <form className="space-y-4" onSubmit={submit} noValidate>
        <TextField
          label="Setup token"
          required
          autoComplete="off"
          spellCheck={false}
          value={form.token}
          onChange={set('token')}
          errors={problem?.messagesFor('token')}
        />
        <TextField
          label="Your name"
          autoComplete="name"
          value={form.name}
          onChange={set('name')}
          errors={problem?.messagesFor('name')}
        />
        <TextField
          label="E-mail"
          type="email"
          required
          autoComplete="username"
          value={form.email}
          onChange={set('email')}
          errors={problem?.messagesFor('email')}
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
        {setup.isError && !(problem && problem.errors.length > 0) && (
          <p role="alert" className="text-sm font-medium text-red-700">
            {errorMessage(setup.error)}
          </p>
        )}
        <Button type="submit" className="w-full" busy={setup.isPending}>
          Create owner account
        </Button>
      </form>
    </AuthLayout>
  );
}
