// Drives the official @clerk/backend SDK against a running mock and prints what it saw as JSON.
// Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_USER_ID, CLERK_SESSION_ID.
import { outcome } from './outcome.mjs';
import { createClerkClient, verifyToken } from '@clerk/backend';

const apiUrl = process.env.CLERK_API_URL;
const secretKey = process.env.CLERK_SECRET_KEY;
const userId = process.env.CLERK_USER_ID;
const sessionId = process.env.CLERK_SESSION_ID;

const clerk = createClerkClient({ secretKey, apiUrl });


const list = await clerk.sessions.getSessionList({ userId, limit: 3 });
const session = await clerk.sessions.getSession(sessionId);
const token = await clerk.sessions.getToken(sessionId);
const verified = await verifyToken(token.jwt, { secretKey, apiUrl });
const templateToken = await clerk.sessions.getToken(sessionId, 'test');
const verifiedTemplate = await verifyToken(templateToken.jwt, { secretKey, apiUrl });
const created = await clerk.sessions.createSession({ userId });
const revoked = await clerk.sessions.revokeSession(created.id);
const missing = await outcome(clerk.sessions.getSession('sess_2ThisSessionDoesNotExist000'));
const user = await clerk.users.getUser(userId);
const missingUser = await outcome(clerk.users.getUser('user_2NobodyHasThisId00000000000'));
// getUserList sends the list and the count at once, and returns both.
const byEmail = await clerk.users.getUserList({ emailAddress: ['alice@example.com', 'bob@example.com'] });
const page = await clerk.users.getUserList({ limit: 5, offset: 5, orderBy: '-created_at' });
const userCount = await clerk.users.getCount();
const retiredVerify = await outcome(clerk.sessions.verifySession(sessionId, token.jwt));
const wrongKey = await outcome(
  verifyToken(token.jwt, { secretKey: 'sk_test_not_accepted_by_the_mock', apiUrl, skipJwksCache: true }),
);

// A Clerk that is down for revokes and rate-limits at two requests per window, through the
// test-control surface; restored afterwards.
const faults = (method, body) =>
  fetch(`${apiUrl}/__admin/instance/faults`, {
    method,
    headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
await faults('PUT', {
  operations: { RevokeSession: { error_rate: 1, error_status: 503 } },
  rate_limit: { requests: 2, window_secs: 10 },
});
const revokeDown = await outcome(clerk.sessions.revokeSession(sessionId));
const withinLimit = await outcome(clerk.sessions.getSession(sessionId));
const rateLimited = await outcome(clerk.sessions.getSession(sessionId));
await faults('DELETE');

console.log(
  JSON.stringify({
    list: { totalCount: list.totalCount, ids: list.data.map((s) => s.id), userIds: list.data.map((s) => s.userId) },
    session: { id: session.id, status: session.status, userId: session.userId, lastActiveAt: session.lastActiveAt },
    verified: { sid: verified.sid, sub: verified.sub, v: verified.v },
    verifiedTemplate: { sub: verifiedTemplate.sub, email: verifiedTemplate.email, name: verifiedTemplate.name },
    created: { status: created.status, userId: created.userId },
    revoked: { id: revoked.id, status: revoked.status },
    user: {
      id: user.id,
      fullName: user.fullName,
      primaryEmailAddress: user.primaryEmailAddress?.emailAddress ?? null,
      primaryPhoneNumber: user.primaryPhoneNumber?.phoneNumber ?? null,
      emailAddresses: user.emailAddresses.map((email) => email.emailAddress),
      verification: user.emailAddresses[0]?.verification?.status ?? null,
      publicMetadata: user.publicMetadata,
      privateMetadata: user.privateMetadata,
      lastSignInAt: user.lastSignInAt,
      banned: user.banned,
    },
    missingUser,
    byEmail: { totalCount: byEmail.totalCount, ids: byEmail.data.map((u) => u.id).sort() },
    page: { totalCount: page.totalCount, length: page.data.length },
    userCount,
    missing,
    retiredVerify,
    wrongKey: { failed: !('ok' in wrongKey), message: wrongKey.message ?? null },
    revokeDown,
    withinLimit: { ok: 'ok' in withinLimit },
    rateLimited,
  }),
);
