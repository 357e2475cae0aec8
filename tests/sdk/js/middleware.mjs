// Drives @clerk/backend's authenticateRequest (what clerkMiddleware and @clerk/express run) against
// a running mock, for requests as a browser or a client sends them, and prints what the SDK
// decided as JSON.
//
// Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, and CASES: a JSON
// object of named requests, each {"bearer": token} or {"cookies": {name: value}}, where a cookie
// named "__refresh" is sent under the suffixed name the SDK reads it by, and optionally
// "authorizedParties", the origins the backend accepts tokens for.
import { createClerkClient } from '@clerk/backend';

const apiUrl = process.env.CLERK_API_URL;
const secretKey = process.env.CLERK_SECRET_KEY;
const publishableKey = process.env.CLERK_PUBLISHABLE_KEY;
const cases = JSON.parse(process.env.CASES);

// Nothing leaves the machine: no telemetry.
const clerk = createClerkClient({ secretKey, publishableKey, apiUrl, telemetry: { disabled: true } });

// The SDK names suffixed cookies after the publishable key: the first 8 characters of the
// URL-safe base64 of its SHA-1.
async function cookieSuffix(key) {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(key));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .substring(0, 8);
}
const suffix = await cookieSuffix(publishableKey);

function request({ bearer, cookies }) {
  const headers = new Headers({ Accept: 'text/html' });
  if (bearer) {
    headers.set('Authorization', `Bearer ${bearer}`);
  }
  if (cookies) {
    const pairs = Object.entries(cookies).map(([name, value]) =>
      name === '__refresh' ? `__refresh_${suffix}=${value}` : `${name}=${value}`,
    );
    headers.set('Cookie', pairs.join('; '));
  }
  return new Request('http://localhost:3000/dashboard', { method: 'GET', headers });
}

const seen = {};
for (const [name, given] of Object.entries(cases)) {
  const options = given.authorizedParties ? { authorizedParties: given.authorizedParties } : {};
  const state = await clerk.authenticateRequest(request(given), options);
  const auth = state.isAuthenticated ? state.toAuth() : null;
  // What a backend does next: read the signed-in user.
  const user = auth ? await clerk.users.getUser(auth.userId) : null;
  seen[name] = {
    email: user?.primaryEmailAddress?.emailAddress ?? null,
    status: state.status,
    reason: state.reason ?? null,
    userId: auth?.userId ?? null,
    sessionId: auth?.sessionId ?? null,
    orgId: auth?.orgId ?? null,
    actor: auth?.actor ?? null,
    azp: auth?.sessionClaims?.azp ?? null,
    setCookies: state.headers?.getSetCookie?.() ?? [],
  };
}
console.log(JSON.stringify(seen));
