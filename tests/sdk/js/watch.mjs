// What an application does with @clerk/backend, sent through `clerk-conformance watch`: lists,
// gets, a token verified with the JWKS, a created and revoked session read again, an unknown
// session, the signed-in user and an unknown one, and the 401s a wrong secret key gets (a list
// and the JWKS). Every call's failure is kept, not thrown: the watch, not this script, judges.
// Inputs (environment): CLERK_API_URL (the watch), CLERK_SECRET_KEY, CLERK_USER_ID.
import { createClerkClient, verifyToken } from '@clerk/backend';

const apiUrl = process.env.CLERK_API_URL;
const secretKey = process.env.CLERK_SECRET_KEY;
const userId = process.env.CLERK_USER_ID;
const clerk = createClerkClient({ secretKey, apiUrl, telemetry: { disabled: true } });

const failures = [];
async function attempt(name, call) {
  try {
    return await call();
  } catch (error) {
    failures.push({ name, status: error.status ?? null, message: String(error.message ?? error) });
    return null;
  }
}

const page = await attempt('list', () => clerk.sessions.getSessionList({ userId, limit: 3 }));
await attempt('list all', () => clerk.sessions.getSessionList({ userId, limit: 50 }));
for (const session of page?.data ?? []) {
  await attempt(`get ${session.id}`, () => clerk.sessions.getSession(session.id));
}
const active = (page?.data ?? []).find((session) => session.status === 'active');
if (active) {
  const token = await attempt('token', () => clerk.sessions.getToken(active.id));
  if (token) {
    await attempt('verify', () => verifyToken(token.jwt, { secretKey, apiUrl }));
  }
}
const created = await attempt('create', () => clerk.sessions.createSession({ userId }));
if (created) {
  await attempt('revoke', () => clerk.sessions.revokeSession(created.id));
  await attempt('get revoked', () => clerk.sessions.getSession(created.id));
}
await attempt('missing', () => clerk.sessions.getSession('sess_2ThisSessionDoesNotExist000'));
await attempt('user', () => clerk.users.getUser(userId));
await attempt('missing user', () => clerk.users.getUser('user_2ThisUserDoesNotExist00000'));
const wrongKey = 'sk_test_not_accepted_by_the_server';
const stranger = createClerkClient({ secretKey: wrongKey, apiUrl, telemetry: { disabled: true } });
await attempt('list with a wrong key', () => stranger.sessions.getSessionList({ userId }));
if (active) {
  const token = await attempt('token again', () => clerk.sessions.getToken(active.id));
  if (token) {
    await attempt('verify with a wrong key', () =>
      verifyToken(token.jwt, { secretKey: wrongKey, apiUrl, skipJwksCache: true }),
    );
  }
}
console.log(JSON.stringify({ failures }));
