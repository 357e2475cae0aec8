// An e2e suite's global set-up with the official @clerk/testing package against a running mock,
// then the sign-in recipe its `clerk.signIn` helper follows (which calls Clerk's own host), made
// against the mock with @clerk/backend and the admin redemption. Prints what it saw as JSON.
// Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY.
import { clerkSetup } from '@clerk/testing/playwright';
import { createClerkClient } from '@clerk/backend';

const apiUrl = process.env.CLERK_API_URL;
const secretKey = process.env.CLERK_SECRET_KEY;
delete process.env.CLERK_TESTING_TOKEN; // set, clerkSetup would not ask for one

// What a playwright.config's globalSetup runs; CLERK_API_URL points it at the mock.
await clerkSetup({ publishableKey: process.env.CLERK_PUBLISHABLE_KEY, secretKey, dotenv: false });
const testingToken = process.env.CLERK_TESTING_TOKEN;

// clerk.signIn({ emailAddress }) in three calls: find the user, make a sign-in token, redeem it.
const clerk = createClerkClient({ secretKey, apiUrl });
const { data: users, totalCount } = await clerk.users.getUserList({ emailAddress: ['alice@example.com'] });
const signInToken = await clerk.signInTokens.createSignInToken({ userId: users[0].id, expiresInSeconds: 300 });
const redeemed = await fetch(`${apiUrl}/__admin/instance/sign_in_tokens/redeem`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ token: signInToken.token }),
}).then((answer) => answer.json());
const revoked = await clerk.signInTokens.revokeSignInToken(
  (await clerk.signInTokens.createSignInToken({ userId: users[0].id, expiresInSeconds: 300 })).id,
);
const raw = await clerk.testingTokens.createTestingToken();

console.log(
  JSON.stringify({
    testingToken,
    fapi: process.env.CLERK_FAPI ?? null,
    found: { totalCount, id: users[0].id },
    signInToken: { status: signInToken.status, userId: signInToken.userId, hasToken: !!signInToken.token },
    session: { id: redeemed.id, userId: redeemed.user_id, status: redeemed.status },
    revoked: revoked.status,
    raw: { token: raw.token, expiresAt: raw.expires_at },
  }),
);
