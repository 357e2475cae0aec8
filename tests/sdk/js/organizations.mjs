// Drives the official @clerk/backend SDK's organizations and memberships against a running mock,
// as a multi-tenant backend reads them and its admin screens change them, and prints what it saw
// as JSON. Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_ORG_ID, CLERK_USER_ID
// (a member), CLERK_OTHER_USER_ID (not a member).
import { outcome } from './outcome.mjs';
import { createClerkClient } from '@clerk/backend';

const clerk = createClerkClient({
  secretKey: process.env.CLERK_SECRET_KEY,
  apiUrl: process.env.CLERK_API_URL,
});
const organizationId = process.env.CLERK_ORG_ID;
const userId = process.env.CLERK_USER_ID;
const otherUserId = process.env.CLERK_OTHER_USER_ID;

const byId = await clerk.organizations.getOrganization({ organizationId, includeMembersCount: true });
const bySlug = await clerk.organizations.getOrganization({ slug: byId.slug });
const list = await clerk.organizations.getOrganizationList({ limit: 5, includeMembersCount: true });
const members = await clerk.organizations.getOrganizationMembershipList({ organizationId, limit: 50 });
const ofUser = await clerk.users.getOrganizationMembershipList({ userId, limit: 10 });

const created = await clerk.organizations.createOrganization({
  name: 'Initech',
  createdBy: userId,
  publicMetadata: { plan: 'team' },
});
const updated = await clerk.organizations.updateOrganization(created.id, {
  name: 'Initech Inc',
  publicMetadata: { plan: 'enterprise' },
});
const merged = await clerk.organizations.updateOrganizationMetadata(created.id, {
  publicMetadata: { seats: 25 },
  privateMetadata: { crm: 'acc_42' },
});
const joined = await clerk.organizations.createOrganizationMembership({
  organizationId: created.id,
  userId: otherUserId,
  role: 'org:member',
});
const promoted = await clerk.organizations.updateOrganizationMembership({
  organizationId: created.id,
  userId: otherUserId,
  role: 'org:admin',
});
const again = await outcome(
  clerk.organizations.createOrganizationMembership({ organizationId: created.id, userId: otherUserId, role: 'org:member' }),
);
const left = await clerk.organizations.deleteOrganizationMembership({ organizationId: created.id, userId: otherUserId });
const deleted = await clerk.organizations.deleteOrganization(created.id);
const gone = await outcome(clerk.organizations.getOrganization({ organizationId: created.id }));

const membership = (m) => ({
  role: m.role,
  organizationId: m.organization?.id ?? null,
  userId: m.publicUserData?.userId ?? null,
  identifier: m.publicUserData?.identifier ?? null,
});

console.log(
  JSON.stringify({
    byId: { id: byId.id, slug: byId.slug, membersCount: byId.membersCount },
    bySlugId: bySlug.id,
    list: { totalCount: list.totalCount, length: list.data.length },
    members: { totalCount: members.totalCount, all: members.data.map(membership) },
    ofUser: { totalCount: ofUser.totalCount, all: ofUser.data.map(membership) },
    created: { slug: created.slug, createdBy: created.createdBy, publicMetadata: created.publicMetadata },
    updated: { name: updated.name, publicMetadata: updated.publicMetadata },
    merged: { publicMetadata: merged.publicMetadata, privateMetadata: merged.privateMetadata },
    joined: membership(joined),
    promoted: membership(promoted),
    again,
    left: membership(left),
    deleted: { id: deleted.id, deleted: deleted.deleted },
    gone,
  }),
);
