// Drives the official @clerk/backend SDK's user writes against a running mock, as a test suite
// sets up its people and a backend's admin screens change them, and prints what it saw as JSON.
// Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY.
import { outcome } from './outcome.mjs';
import { createClerkClient } from '@clerk/backend';

const clerk = createClerkClient({
  secretKey: process.env.CLERK_SECRET_KEY,
  apiUrl: process.env.CLERK_API_URL,
});


const summary = (user) => ({
  id: user.id,
  fullName: user.fullName,
  username: user.username,
  externalId: user.externalId,
  primaryEmailAddress: user.primaryEmailAddress?.emailAddress ?? null,
  emailAddresses: user.emailAddresses.map((email) => email.emailAddress),
  publicMetadata: user.publicMetadata,
  privateMetadata: user.privateMetadata,
  passwordEnabled: user.passwordEnabled,
  banned: user.banned,
  locked: user.locked,
});

const created = await clerk.users.createUser({
  emailAddress: ['grace@example.com'],
  phoneNumber: ['+15555550123'],
  username: 'grace',
  firstName: 'Grace',
  lastName: 'Hopper',
  externalId: 'db-42',
  password: 'correct horse battery',
  publicMetadata: { plan: 'pro', limits: { seats: 5 } },
  privateMetadata: { stripeCustomer: 'cus_123' },
});
const taken = await outcome(clerk.users.createUser({ emailAddress: ['grace@example.com'] }));
const updated = await clerk.users.updateUser(created.id, {
  firstName: 'Amazing Grace',
  publicMetadata: { plan: 'team' },
});
const merged = await clerk.users.updateUserMetadata(created.id, {
  publicMetadata: { limits: { seats: 10 }, trial: null },
  privateMetadata: { vip: true },
});
const byExternalId = await clerk.users.getUserList({ externalId: ['db-42'] });
const banned = await clerk.users.banUser(created.id);
const unbanned = await clerk.users.unbanUser(created.id);
const locked = await clerk.users.lockUser(created.id);
const unlocked = await clerk.users.unlockUser(created.id);
const deleted = await clerk.users.deleteUser(created.id);
const gone = await outcome(clerk.users.getUser(created.id));

console.log(
  JSON.stringify({
    created: summary(created),
    taken,
    updated: summary(updated),
    merged: summary(merged),
    byExternalId: { totalCount: byExternalId.totalCount, ids: byExternalId.data.map((u) => u.id) },
    banned: banned.banned,
    unbanned: unbanned.banned,
    locked: locked.locked,
    unlocked: unlocked.locked,
    deleted: { id: deleted.id, deleted: deleted.deleted },
    gone,
  }),
);
