"""Drives the official Python SDK (clerk-backend-api) against a running mock and prints what it saw
as JSON.

Inputs (environment): CLERK_API_URL, CLERK_SECRET_KEY, CLERK_USER_ID, CLERK_SESSION_ID,
and CLERK_REFRESH_TOKEN (the session's, from the mock's admin API).
"""

import json
import os

import httpx
from clerk_backend_api import Clerk
from clerk_backend_api.security import authenticate_request, verify_token
from clerk_backend_api.security.types import AuthenticateRequestOptions, VerifyTokenOptions

api_url = os.environ["CLERK_API_URL"]
secret_key = os.environ["CLERK_SECRET_KEY"]
user_id = os.environ["CLERK_USER_ID"]
session_id = os.environ["CLERK_SESSION_ID"]

clerk = Clerk(bearer_auth=secret_key, server_url=f"{api_url}/v1")
seen = {}

sessions = clerk.sessions.list(user_id=user_id, limit=3)
seen["list"] = {"ids": [s.id for s in sessions], "userIds": sorted({s.user_id for s in sessions})}
seen["session"] = {"id": clerk.sessions.get(session_id=session_id).id}
emails = {"email_address": ["alice@example.com", "bob@example.com"]}
seen["listed"] = {
    "ids": sorted(u.id for u in clerk.users.list(request=emails)),
    "count": clerk.users.count(request=emails).total_count,
}
user = clerk.users.get(user_id=user_id)
primary = next(e for e in user.email_addresses if e.id == user.primary_email_address_id)
seen["user"] = {
    "id": user.id,
    "firstName": user.first_name,
    "primaryEmail": primary.email_address,
    "verification": primary.verification.status if primary.verification else None,
    "phones": [p.phone_number for p in user.phone_numbers],
    "publicMetadata": user.public_metadata,
    "lastSignInAt": user.last_sign_in_at,
}

# The writes a test suite makes to set up its people.
created = clerk.users.create(
    email_address=["grace@example.com", "hopper@example.com"],
    email_address_identification_status=["verified", "reserved"],
    username="grace",
    first_name="Grace",
    external_id="db-42",
    password="correct horse battery",
    public_metadata={"plan": "pro", "limits": {"seats": 5}},
)
merged = clerk.users.update_metadata(
    user_id=created.id, public_metadata={"limits": {"seats": 10}}, private_metadata={"vip": True}
)
renamed = clerk.users.update(user_id=created.id, last_name="Hopper")
banned = clerk.users.ban(user_id=created.id)
deleted = clerk.users.delete(user_id=created.id)
seen["written"] = {
    "emails": [e.email_address for e in created.email_addresses],
    "reserved": [e.reserved for e in created.email_addresses],
    "externalId": created.external_id,
    "merged": merged.public_metadata,
    "private": merged.private_metadata,
    "lastName": renamed.last_name,
    "banned": banned.banned,
    "deleted": deleted.deleted,
}

# Organizations and memberships, as a multi-tenant backend reads and writes them.
acme = clerk.organizations.get(organization_id="acme", include_members_count=True)
organizations = clerk.organizations.list(limit=5)
acme_members = clerk.organization_memberships.list(organization_id=acme.id, limit=50)
mine = clerk.users.get_organization_memberships(user_id=user_id)
initech = clerk.organizations.create(request={"name": "Initech", "created_by": user_id})
renamed_org = clerk.organizations.update(organization_id=initech.id, name="Initech Inc")
merged_org = clerk.organizations.merge_metadata(
    organization_id=initech.id, public_metadata={"plan": "team"}
)
other = next(u for u in clerk.users.list(request={"limit": 100}) if u.id != user_id)
joined = clerk.organization_memberships.create(
    organization_id=initech.id, user_id=other.id, role="org:member"
)
promoted = clerk.organization_memberships.update(
    organization_id=initech.id, user_id=other.id, role="org:admin"
)
removed = clerk.organization_memberships.delete(organization_id=initech.id, user_id=other.id)
deleted_org = clerk.organizations.delete(organization_id=initech.id)
seen["organizations"] = {
    "acme": {"id": acme.id, "slug": acme.slug, "membersCount": acme.members_count},
    "listed": organizations.total_count,
    "acmeMembers": acme_members.total_count,
    "acmeHasPublicUserData": all(m.public_user_data is not None for m in acme_members.data),
    "mine": sorted(m.organization.slug for m in mine.data),
    "created": {"slug": initech.slug, "createdBy": initech.created_by},
    "renamed": renamed_org.name,
    "merged": merged_org.public_metadata,
    "joined": joined.role,
    "promoted": promoted.role,
    "removed": removed.public_user_data.user_id,
    "deleted": deleted_org.deleted,
}

testing_token = clerk.testing_tokens.create()
sign_in_token = clerk.sign_in_tokens.create(request={"user_id": user_id, "expires_in_seconds": 300})
revoked_token = clerk.sign_in_tokens.revoke(sign_in_token_id=sign_in_token.id)
seen["tokens"] = {
    "testing": testing_token.token,
    "testingExpiresAt": testing_token.expires_at,
    "signIn": {"status": sign_in_token.status, "hasToken": bool(sign_in_token.token)},
    "revoked": revoked_token.status,
}

session_token = clerk.sessions.create_token(session_id=session_id).jwt
template_token = clerk.sessions.create_token_from_template(
    session_id=session_id, template_name="test"
).jwt


# authenticate_request takes no API URL: it verifies networklessly with the PEM the mock serves.
jwt_key = httpx.get(f"{api_url}/jwt-public-key.pem").text
request = httpx.Request(
    "GET", "http://localhost:8000/api/me", headers={"Authorization": f"Bearer {session_token}"}
)
state = authenticate_request(request, AuthenticateRequestOptions(jwt_key=jwt_key))
seen["authenticated"] = {
    "signedIn": state.is_signed_in,
    "sub": (state.payload or {}).get("sub"),
    "sid": (state.payload or {}).get("sid"),
}
malformed = httpx.Request(
    "GET", "http://localhost:8000/api/me", headers={"Authorization": "Bearer x.y.z"}
)
state = authenticate_request(malformed, AuthenticateRequestOptions(jwt_key=jwt_key))
seen["malformed"] = {"signedIn": state.is_signed_in}

# verify_token fetches the JWKS from api_url with the secret key; otherwise default options.
options = VerifyTokenOptions(secret_key=secret_key, api_url=api_url)
seen["verifiedSession"] = verify_token(session_token, options)
seen["verifiedTemplate"] = verify_token(template_token, options)

refreshed = clerk.sessions.refresh(
    session_id=session_id,
    expired_token=session_token,
    refresh_token=os.environ["CLERK_REFRESH_TOKEN"],
    request_origin="http://localhost:8000",
)
seen["refreshed"] = verify_token(refreshed.jwt, options)

print(json.dumps(seen))
