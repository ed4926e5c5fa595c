// A real OpenID provider for converge-server's `oidc` tests: npm's oidc-provider on a free 127.0.0.1 port,
// plain http, issuer `http://127.0.0.1:<port>`. Clients and accounts come from fixtures.json, which the Rust
// tests read too. `/interaction/:uid` signs in the account named by the authorization request's `login_hint`
// and grants every requested scope and claim, so a test drives the whole flow with plain HTTP requests.
// Without a `login_hint` it shows a minimal login form (account name), for the web UI's browser tests; those
// set CONVERGE_WEB_REDIRECT_URI to register the client `converge-web` with the UI's callback.
// Prints `{"port": <port>}` on stdout once listening.
//
// Test fixture only: fresh signing keys and cookie keys on every start, everything kept in memory.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const fixtures = JSON.parse(readFileSync(new URL('./fixtures.json', import.meta.url), 'utf8'));

function signingKey(kid, type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

// Two keys so the relying party has to pick the right one by `kid`; ID tokens are signed RS256 (the default).
const jwks = {
  keys: [
    signingKey(`rsa-${randomBytes(4).toString('hex')}`, 'rsa', { modulusLength: 2048 }, 'RS256'),
    signingKey(`ec-${randomBytes(4).toString('hex')}`, 'ec', { namedCurve: 'P-256' }, 'ES256'),
  ],
};

// The browser tests' client: its callback is on a port only known at run time.
const webClients = process.env.CONVERGE_WEB_REDIRECT_URI
  ? [
      {
        client_id: 'converge-web',
        client_secret: 'converge-web-secret-0123456789abcdef',
        redirect_uris: [process.env.CONVERGE_WEB_REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]
  : [];

const configuration = {
  clients: [...fixtures.clients, ...webClients].map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...client,
  })),
  jwks,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Like Google: scope-requested claims (email, name) go into the ID token, not only to userinfo.
  conformIdTokenClaims: false,
  // PKCE for every client, confidential ones included: the tests prove the relying party sends it.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  async findAccount(_ctx, id) {
    const account = fixtures.accounts[id];
    if (!account) {
      return undefined;
    }
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
};

let provider;

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** The login page a person sees when the authorization request names no account. */
function loginForm(res, uid, clientId) {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem">
<main><h1>Test provider</h1><p>Sign in to ${escapeHtml(clientId)} as one of the test accounts.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="account">Account</label><br>
<input id="account" name="account" autocomplete="username" required style="margin: 0.5rem 0; padding: 0.4rem; width: 100%">
<button type="submit">Sign in</button></form></main></body></html>`);
}

async function formField(req, name) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body).get(name) ?? '';
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId, uid } = details;
  if (prompt.name === 'login') {
    let accountId = params.login_hint;
    if (!accountId) {
      if (req.method !== 'POST') {
        loginForm(res, uid, params.client_id);
        return;
      }
      accountId = await formField(req, 'account');
    }
    const result = fixtures.accounts[accountId]
      ? { login: { accountId } }
      : { error: 'access_denied', error_description: 'unknown test account (set login_hint)' };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) {
      grant.addOIDCScope(missingOIDCScope.join(' '));
    }
    if (missingOIDCClaims) {
      grant.addOIDCClaims(missingOIDCClaims);
    }
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const result = { consent: { grantId: await grant.save() } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    return;
  }
  res.statusCode = 501;
  res.end(`unsupported prompt ${prompt.name}`);
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      console.error('interaction failed:', error);
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  provider.callback()(req, res);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  provider = new Provider(`http://127.0.0.1:${port}`, configuration);
  provider.on('server_error', (_ctx, error) => console.error('server_error:', error));
  console.log(JSON.stringify({ port }));
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
