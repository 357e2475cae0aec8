//! Users: what a backend reads right after authenticating someone, in the shape the official
//! SDKs need to build their `User` (identifications with ids and `linked_to`, a primary email
//! address that names one of them), and the 404 for a user that does not exist.

use serde_json::Value;

use super::{UNKNOWN_USER, check};
use crate::check::{Check, CheckResult, Context, Findings, Outcome};
use crate::client::Request;

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "USER-001",
            Users,
            Required,
            mutates = false,
            "A user reads as itself, each email address and phone number with an id and linked_to, the primary email address among them",
            "Clerk's spec: GetUser; @clerk/backend builds User.primaryEmailAddress by id and throws without linked_to",
            a_user_reads_as_the_sdks_need
        ),
        check!(
            "USER-002",
            Users,
            Required,
            mutates = false,
            "An unknown user is 404 resource_not_found",
            "Clerk's spec: GetUser 404",
            an_unknown_user_is_404
        ),
    ]
}

async fn a_user_reads_as_the_sdks_need(context: &Context) -> CheckResult {
    let Some(user_id) = context.options.user_id.as_deref() else {
        return Ok(Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    let exchange = context
        .send(&Request::get(format!("/users/{user_id}")))
        .await?;
    if !findings.status(&exchange, 200) {
        return Ok(findings.outcome());
    }
    let user = exchange.json.unwrap_or(Value::Null);
    findings.expect(user["object"] == "user" && user["id"] == user_id, || {
        format!(
            "GET /v1/users/{user_id} answered object {} with id {}",
            user["object"], user["id"]
        )
    });
    for (list, field) in [
        ("email_addresses", "email_address"),
        ("phone_numbers", "phone_number"),
    ] {
        for identification in user[list].as_array().into_iter().flatten() {
            let value = &identification[field];
            findings.expect(identification["id"].is_string(), || {
                format!("{list}: {value} has no id")
            });
            findings.expect(identification["linked_to"].is_array(), || {
                format!("{list}: {value} has no linked_to array")
            });
        }
    }
    if let Some(primary) = user["primary_email_address_id"].as_str() {
        let named = user["email_addresses"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|email| email["id"] == primary);
        findings.expect(named, || {
            format!("primary_email_address_id {primary} names none of the email addresses")
        });
    }
    Ok(findings.outcome())
}

async fn an_unknown_user_is_404(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context
        .send(&Request::get(format!("/users/{UNKNOWN_USER}")))
        .await?;
    findings.error(&exchange, 404, "resource_not_found", None);
    Ok(findings.outcome())
}
