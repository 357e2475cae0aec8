//! Organizations and memberships: the same organization by id and by slug, the paginated shapes
//! the SDKs read (a membership without its organization or its member's public data makes
//! `@clerk/backend` throw), the 404s, and, with `--allow-mutations`, an organization's life and
//! a member's, cleaned up by deleting the organization the check made.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{Value, json};

use super::{check, items};
use crate::check::{Check, CheckResult, Context, Findings, Outcome};
use crate::client::{Request, Unreachable};

/// A well-formed organization id that no server should know.
const UNKNOWN_ORGANIZATION: &str = "org_2ConformanceNoSuchOrg000000";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "ORG-001",
            Organizations,
            Required,
            mutates = false,
            "An organization reads the same by its id and by its slug",
            "Clerk's spec: GetOrganization (the ID or slug)",
            by_id_and_by_slug
        ),
        check!(
            "ORG-002",
            Organizations,
            Required,
            mutates = false,
            "Organization and membership lists are {data, total_count}, each membership with its organization and public_user_data",
            "Clerk's spec: ListOrganizations, ListOrganizationMemberships; @clerk/backend throws on a membership without them",
            lists_have_the_shapes_the_sdks_read
        ),
        check!(
            "ORG-003",
            Organizations,
            Required,
            mutates = false,
            "An unknown organization is 404, by id, by slug and for its memberships",
            "Clerk's spec: GetOrganization 404",
            unknown_organizations_are_404
        ),
        check!(
            "ORG-004",
            Organizations,
            Required,
            mutates = true,
            "A created organization reads back by its slug, a taken slug is 422, and deleted it answers DeletedObject and then 404",
            "Clerk's spec: CreateOrganization, DeleteOrganization; CONTRACT-users-orgs §9.11",
            an_organization_is_created_and_deleted
        ),
        check!(
            "ORG-005",
            Organizations,
            Required,
            mutates = true,
            "A member joins, a second join is 400 already_a_member_in_organization, the role changes, and the member leaves",
            "Clerk's spec: the membership operations; CONTRACT-users-orgs §9.14",
            a_member_joins_changes_role_and_leaves
        ),
        check!(
            "ORG-006",
            Organizations,
            Observation,
            mutates = true,
            "A session active in a deleted organization is active in none",
            "Clerk's spec: DeleteOrganization (active sessions are cleared); CONTRACT-users-orgs §9.15",
            sessions_leave_a_deleted_organization
        ),
    ]
}

/// The first organization a list answers, if any.
async fn some_organization(context: &Context) -> Result<Option<Value>, Unreachable> {
    let listed = context
        .send(&Request::get("/organizations").query("limit", "1"))
        .await?;
    Ok(items(&listed).into_iter().next())
}

/// A slug no other run of the suite uses.
fn unique_slug() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("conformance-{nanos}")
}

async fn by_id_and_by_slug(context: &Context) -> CheckResult {
    let Some(organization) = some_organization(context).await? else {
        return Ok(Outcome::Skip("the instance has no organization".to_owned()));
    };
    let mut findings = Findings::default();
    let (id, slug) = (
        organization["id"].as_str().unwrap_or(UNKNOWN_ORGANIZATION),
        organization["slug"].as_str().unwrap_or_default(),
    );
    let by_id = context
        .send(&Request::get(format!("/organizations/{id}")))
        .await?;
    let by_slug = context
        .send(&Request::get(format!("/organizations/{slug}")))
        .await?;
    if findings.status(&by_id, 200) && findings.status(&by_slug, 200) {
        findings.expect(by_id.json == by_slug.json, || {
            format!("GET /v1/organizations/{slug} is not GET /v1/organizations/{id}")
        });
    }
    Ok(findings.outcome())
}

async fn lists_have_the_shapes_the_sdks_read(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let listed = context.send(&Request::get("/organizations")).await?;
    if !findings.status(&listed, 200) {
        return Ok(findings.outcome());
    }
    let page = listed.json.clone().unwrap_or(Value::Null);
    findings.expect(
        page["data"].is_array() && page["total_count"].is_u64(),
        || format!("GET /v1/organizations answered {page} rather than {{data, total_count}}"),
    );
    let Some(id) = page["data"][0]["id"].as_str() else {
        return Ok(findings.outcome());
    };
    let members = context
        .send(&Request::get(format!("/organizations/{id}/memberships")))
        .await?;
    if findings.status(&members, 200) {
        let body = members.json.clone().unwrap_or(Value::Null);
        findings.expect(body["total_count"].is_u64(), || {
            "the memberships have no total_count".to_owned()
        });
        for membership in items(&members) {
            findings.expect(
                membership["organization"]["id"] == id
                    && membership["public_user_data"]["user_id"].is_string(),
                || format!("a membership lacks its organization or public_user_data: {membership}"),
            );
        }
    }
    Ok(findings.outcome())
}

async fn unknown_organizations_are_404(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    for path in [
        format!("/organizations/{UNKNOWN_ORGANIZATION}"),
        "/organizations/conformance-no-such-slug".to_owned(),
        format!("/organizations/{UNKNOWN_ORGANIZATION}/memberships"),
    ] {
        let exchange = context.send(&Request::get(path)).await?;
        findings.error(&exchange, 404, "resource_not_found", None);
    }
    Ok(findings.outcome())
}

/// Creates an organization with a unique slug; `None` (with the problem noted) if refused.
async fn create(
    context: &Context,
    findings: &mut Findings,
) -> Result<Option<(String, String)>, Unreachable> {
    let slug = unique_slug();
    let created = context
        .send(&Request::post("/organizations").json(&json!({"name": "Conformance", "slug": slug})))
        .await?;
    if !findings.status(&created, 200) {
        return Ok(None);
    }
    let id = created
        .json
        .as_ref()
        .and_then(|body| body["id"].as_str().map(str::to_owned));
    Ok(id.map(|id| (id, slug)))
}

async fn delete(context: &Context, id: &str) -> Result<crate::client::Exchange, Unreachable> {
    context
        .send(&Request::new(
            Method::DELETE,
            format!("/organizations/{id}"),
        ))
        .await
}

async fn an_organization_is_created_and_deleted(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let Some((id, slug)) = create(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    let by_slug = context
        .send(&Request::get(format!("/organizations/{slug}")))
        .await?;
    if findings.status(&by_slug, 200) {
        let read = by_slug.json.unwrap_or(Value::Null);
        findings.expect(read["id"] == id.as_str(), || {
            format!("GET /v1/organizations/{slug} answered {}", read["id"])
        });
    }
    let taken = context
        .send(&Request::post("/organizations").json(&json!({"name": "Conformance", "slug": slug})))
        .await?;
    findings.error(&taken, 422, "form_identifier_exists", Some("slug"));
    let deleted = delete(context, &id).await?;
    if findings.status(&deleted, 200) {
        let body = deleted.json.unwrap_or(Value::Null);
        findings.expect(
            body["deleted"] == true
                && body["id"] == id.as_str()
                && body["object"] == "organization",
            || format!("DELETE answered {body}, not a DeletedObject of the organization"),
        );
    }
    let gone = context
        .send(&Request::get(format!("/organizations/{id}")))
        .await?;
    findings.error(&gone, 404, "resource_not_found", None);
    Ok(findings.outcome())
}

async fn a_member_joins_changes_role_and_leaves(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    let Some((id, _)) = create(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    let members = format!("/organizations/{id}/memberships");
    let join = Request::post(members.clone()).json(&json!({"user_id": user, "role": "org:member"}));
    let joined = context.send(&join).await?;
    if findings.status(&joined, 200) {
        let body = joined.json.unwrap_or(Value::Null);
        findings.expect(
            body["role"] == "org:member" && body["public_user_data"]["user_id"] == user.as_str(),
            || format!("the new membership reads {body}"),
        );
    }
    let again = context.send(&join).await?;
    findings.error(&again, 400, "already_a_member_in_organization", None);
    let member = format!("{members}/{user}");
    let promoted = context
        .send(&Request::new(Method::PATCH, member.clone()).json(&json!({"role": "org:admin"})))
        .await?;
    if findings.status(&promoted, 200) {
        let role = promoted.json.map(|body| body["role"].clone());
        findings.expect(role == Some(json!("org:admin")), || {
            format!("the promotion answered role {role:?}")
        });
    }
    let left = context.send(&Request::new(Method::DELETE, member)).await?;
    findings.status(&left, 200);
    let listed = context
        .send(&Request::get(members).query("user_id", &user))
        .await?;
    findings.expect(items(&listed).is_empty(), || {
        "the member is still listed after leaving".to_owned()
    });
    delete(context, &id).await?;
    Ok(findings.outcome())
}

async fn sessions_leave_a_deleted_organization(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    let Some((id, _)) = create(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    context
        .send(
            &Request::post(format!("/organizations/{id}/memberships"))
                .json(&json!({"user_id": user, "role": "org:member"})),
        )
        .await?;
    let session = context
        .send(
            &Request::post("/sessions")
                .json(&json!({"user_id": user, "active_organization_id": id})),
        )
        .await?;
    let session = session
        .json
        .filter(|_| session.status == 200)
        .and_then(|body| body["id"].as_str().map(str::to_owned));
    delete(context, &id).await?;
    let Some(session) = session else {
        return Ok(Outcome::Skip(
            "the target made no session in the organization".to_owned(),
        ));
    };
    let read = context
        .send(&Request::get(format!("/sessions/{session}")))
        .await?;
    let active = read
        .json
        .map(|body| body["last_active_organization_id"].clone());
    findings.expect(active == Some(Value::Null), || {
        format!("the session is still active in {active:?}")
    });
    Ok(findings.or_saw("the session is active in none"))
}
