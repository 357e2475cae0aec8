//! User writes, with `--allow-mutations` only: each check creates the users it needs, with
//! email addresses no one else holds, and deletes them before it ends, whatever it found.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{Value, json};

use super::{UNKNOWN_USER, check};
use crate::check::{Check, CheckResult, Context, Findings};
use crate::client::{Exchange, Request, Unreachable};

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "USER-007",
            Users,
            Required,
            mutates = true,
            "A created user reads back as created and is found by its email address; deleted, it answers DeletedObject and then 404",
            "Clerk's spec: CreateUser, GetUser, GetUserList, DeleteUser",
            a_created_user_reads_back_and_deletes
        ),
        check!(
            "USER-008",
            Users,
            Required,
            mutates = true,
            "An email address another user holds is 422 form_identifier_exists naming email_address",
            "Clerk's spec: CreateUser 422; CONTRACT-users-orgs §9.5",
            a_taken_email_address_is_422
        ),
        check!(
            "USER-009",
            Users,
            Required,
            mutates = true,
            "Metadata merges deep (null removes a key, arrays replace), and PUT replaces only the fields it names",
            "Clerk's spec: UpdateUserMetadata, ReplaceUserMetadata",
            metadata_merges_deep_and_put_replaces
        ),
        check!(
            "USER-010",
            Users,
            Required,
            mutates = true,
            "Banning a user revokes its sessions; unbanning keeps them revoked",
            "Clerk's spec: BanUser (all their sessions are revoked)",
            a_ban_revokes_sessions
        ),
        check!(
            "USER-011",
            Users,
            Observation,
            mutates = true,
            "A banned user's new session is 403 user_banned, and a deleted user's sessions read revoked",
            "CONTRACT-users-orgs §9.9, §9.10 (decided here)",
            banned_and_deleted_users_get_no_sessions
        ),
    ]
}

/// An email address no other run of the suite uses.
fn unique_email(purpose: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("conformance+{purpose}-{nanos}-{n}@example.com")
}

/// Creates a user from `body`, recording a problem if it was refused.
async fn create(
    context: &Context,
    findings: &mut Findings,
    body: Value,
) -> Result<Option<Value>, Unreachable> {
    let exchange = context.send(&Request::post("/users").json(&body)).await?;
    if !findings.status(&exchange, 200) {
        return Ok(None);
    }
    Ok(exchange.json.filter(|user| user["id"].is_string()))
}

/// Deletes the user of `id`: the cleanup every check ends with.
async fn delete(context: &Context, id: &str) -> Result<Exchange, Unreachable> {
    context
        .send(&Request::new(Method::DELETE, format!("/users/{id}")))
        .await
}

fn id_of(user: &Value) -> String {
    user["id"].as_str().unwrap_or(UNKNOWN_USER).to_owned()
}

async fn a_created_user_reads_back_and_deletes(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let email = unique_email("create");
    let Some(user) = create(
        context,
        &mut findings,
        json!({"email_address": [email], "first_name": "Conformance", "public_metadata": {"suite": true}}),
    )
    .await?
    else {
        return Ok(findings.outcome());
    };
    let id = id_of(&user);
    let read = context.send(&Request::get(format!("/users/{id}"))).await?;
    if findings.status(&read, 200) {
        let body = read.json.unwrap_or(Value::Null);
        findings.expect(
            body["email_addresses"][0]["email_address"] == email.as_str(),
            || {
                format!(
                    "the created user reads back with {}",
                    body["email_addresses"]
                )
            },
        );
        findings.expect(body["first_name"] == "Conformance", || {
            format!("first_name reads back as {}", body["first_name"])
        });
        findings.expect(body["public_metadata"] == json!({"suite": true}), || {
            format!("public_metadata reads back as {}", body["public_metadata"])
        });
    }
    let found = context
        .send(&Request::get("/users").query("email_address", &email))
        .await?;
    if findings.status(&found, 200) {
        let ids: Vec<String> = super::items(&found).iter().map(id_of).collect();
        findings.expect(ids == [id.clone()], || {
            format!("GET /v1/users?email_address={email} listed {ids:?}")
        });
    }
    let deleted = delete(context, &id).await?;
    if findings.status(&deleted, 200) {
        let body = deleted.json.unwrap_or(Value::Null);
        findings.expect(
            body["deleted"] == true && body["id"] == id.as_str() && body["object"] == "user",
            || format!("DELETE answered {body}, not a DeletedObject of the user"),
        );
    }
    let gone = context.send(&Request::get(format!("/users/{id}"))).await?;
    findings.error(&gone, 404, "resource_not_found", None);
    Ok(findings.outcome())
}

async fn a_taken_email_address_is_422(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let email = unique_email("taken");
    let Some(user) = create(context, &mut findings, json!({"email_address": [email]})).await?
    else {
        return Ok(findings.outcome());
    };
    let again = context
        .send(&Request::post("/users").json(&json!({"email_address": [email.to_uppercase()]})))
        .await?;
    findings.error(&again, 422, "form_identifier_exists", Some("email_address"));
    if let Some(duplicate) = again.json.as_ref().filter(|body| body["object"] == "user") {
        delete(context, &id_of(duplicate)).await?;
    }
    delete(context, &id_of(&user)).await?;
    Ok(findings.outcome())
}

async fn metadata_merges_deep_and_put_replaces(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let Some(user) = create(
        context,
        &mut findings,
        json!({
            "email_address": [unique_email("metadata")],
            "public_metadata": {"plan": "free", "limits": {"seats": 1, "tags": ["a"]}, "gone": 1},
            "unsafe_metadata": {"kept": true},
        }),
    )
    .await?
    else {
        return Ok(findings.outcome());
    };
    let id = id_of(&user);
    let path = format!("/users/{id}/metadata");
    let merged = context
        .send(&Request::new(Method::PATCH, &path).json(&json!({
            "public_metadata": {"limits": {"seats": 5, "tags": ["b"]}, "gone": null, "new": {"x": 1}}
        })))
        .await?;
    if findings.status(&merged, 200) {
        let body = merged.json.unwrap_or(Value::Null);
        let expected =
            json!({"plan": "free", "limits": {"seats": 5, "tags": ["b"]}, "new": {"x": 1}});
        findings.expect(body["public_metadata"] == expected, || {
            format!("the merge gave {}, not {expected}", body["public_metadata"])
        });
        findings.expect(body["unsafe_metadata"] == json!({"kept": true}), || {
            format!(
                "a field the merge did not name changed: {}",
                body["unsafe_metadata"]
            )
        });
    }
    let replaced = context
        .send(&Request::new(Method::PUT, &path).json(&json!({"public_metadata": {"only": 1}})))
        .await?;
    if findings.status(&replaced, 200) {
        let body = replaced.json.unwrap_or(Value::Null);
        findings.expect(body["public_metadata"] == json!({"only": 1}), || {
            format!(
                "PUT gave {}, not the object it sent",
                body["public_metadata"]
            )
        });
        findings.expect(body["unsafe_metadata"] == json!({"kept": true}), || {
            format!(
                "a field PUT did not name changed: {}",
                body["unsafe_metadata"]
            )
        });
    }
    delete(context, &id).await?;
    Ok(findings.outcome())
}

/// A new user with a session, for the ban and delete checks.
async fn user_with_session(
    context: &Context,
    findings: &mut Findings,
    purpose: &str,
) -> Result<Option<(String, String)>, Unreachable> {
    let Some(user) = create(
        context,
        findings,
        json!({"email_address": [unique_email(purpose)]}),
    )
    .await?
    else {
        return Ok(None);
    };
    let id = id_of(&user);
    let session = context
        .send(&Request::post("/sessions").json(&json!({"user_id": id})))
        .await?;
    let session_id = session
        .json
        .as_ref()
        .and_then(|body| body["id"].as_str().map(str::to_owned));
    if !findings.status(&session, 200) || session_id.is_none() {
        delete(context, &id).await?;
        return Ok(None);
    }
    Ok(session_id.map(|session| (id, session)))
}

async fn session_status(context: &Context, session: &str) -> Result<Value, Unreachable> {
    let read = context
        .send(&Request::get(format!("/sessions/{session}")))
        .await?;
    Ok(read
        .json
        .map(|body| body["status"].clone())
        .unwrap_or(Value::Null))
}

async fn a_ban_revokes_sessions(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let Some((user, session)) = user_with_session(context, &mut findings, "ban").await? else {
        return Ok(findings.outcome());
    };
    let banned = context
        .send(&Request::post(format!("/users/{user}/ban")))
        .await?;
    if findings.status(&banned, 200) {
        let body = banned.json.unwrap_or(Value::Null);
        findings.expect(body["banned"] == true, || {
            format!("ban answered banned {}", body["banned"])
        });
    }
    let status = session_status(context, &session).await?;
    findings.expect(status == "revoked", || {
        format!("after the ban the session is {status}")
    });
    let unbanned = context
        .send(&Request::post(format!("/users/{user}/unban")))
        .await?;
    findings.status(&unbanned, 200);
    let status = session_status(context, &session).await?;
    findings.expect(status == "revoked", || {
        format!("after the unban the session is {status}")
    });
    delete(context, &user).await?;
    Ok(findings.outcome())
}

async fn banned_and_deleted_users_get_no_sessions(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let Some((user, session)) = user_with_session(context, &mut findings, "deleted").await? else {
        return Ok(findings.outcome());
    };
    context
        .send(&Request::post(format!("/users/{user}/ban")))
        .await?;
    let refused = context
        .send(&Request::post("/sessions").json(&json!({"user_id": user})))
        .await?;
    findings.error(&refused, 403, "user_banned", None);
    context
        .send(&Request::post(format!("/users/{user}/unban")))
        .await?;
    let fresh = context
        .send(&Request::post("/sessions").json(&json!({"user_id": user})))
        .await?;
    let fresh = fresh
        .json
        .and_then(|body| body["id"].as_str().map(str::to_owned));
    delete(context, &user).await?;
    for session in [Some(session), fresh].into_iter().flatten() {
        let status = session_status(context, &session).await?;
        findings.expect(status == "revoked", || {
            format!("a session of the deleted user reads {status}")
        });
    }
    Ok(findings.or_saw("403 user_banned; sessions revoked after delete"))
}
