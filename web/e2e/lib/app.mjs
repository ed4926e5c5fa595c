// Helpers for driving the app: API calls made from the signed-in page (session cookie, CSRF token and
// workspace header, as the UI itself sends them) and small waits.

/** Calls the API as the signed-in person of `page`. */
export async function apiAsPage(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const headers = {
        'Content-Type': 'application/json',
        'X-CSRF-Token': me.csrf_token,
        'X-Converge-Workspace': me.workspaces[0].slug,
      };
      const response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: response.status, json, text };
    },
    { method, path, body },
  );
}

/** The number shown in an element, digits only ("1,234" → 1234). */
export async function numberIn(locator) {
  const text = await locator.textContent();
  return Number((text ?? '').replace(/[^0-9]/g, ''));
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
