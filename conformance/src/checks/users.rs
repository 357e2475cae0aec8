//! Users: what a backend reads right after authenticating someone, in the shape the official
//! SDKs need to build their `User` (identifications with ids and `linked_to`, a primary email
//! address that names one of them), the 404 for a user that does not exist, and the list and
//! count that find users, which must agree.

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
        check!(
            "USER-003",
            Users,
            Required,
            mutates = false,
            "A user list filtered by id or email keeps exactly the matches, and the count with the same filter agrees",
            "Clerk's spec: GetUserList, GetUsersCount; @clerk/backend's getUserList asks both at once",
            filters_keep_matches_and_the_count_agrees
        ),
        check!(
            "USER-004",
            Users,
            Required,
            mutates = false,
            "Users are listed newest first, and pages follow one another without gaps or repeats",
            "Clerk's spec: GetUserList (order_by default -created_at, limit, offset)",
            pages_are_newest_first_without_gaps
        ),
        check!(
            "USER-005",
            Users,
            Required,
            mutates = false,
            "A user list limit out of 1..=500 is 422 naming limit",
            "Clerk's spec: GetUserList limit",
            a_limit_out_of_range_is_422
        ),
        check!(
            "USER-006",
            Users,
            Observation,
            mutates = false,
            "An empty filter value is 422 naming the filter",
            "CONTRACT-users-orgs §9.1 (decided here)",
            an_empty_filter_value_is_422
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

/// The ids of a bare array of users.
fn user_ids(exchange: &crate::client::Exchange) -> Vec<String> {
    exchange
        .json
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|user| user["id"].as_str().map(str::to_owned))
        .collect()
}

/// The `total_count` of a count, if it answered one.
fn total_count(exchange: &crate::client::Exchange) -> Option<u64> {
    exchange.json.as_ref()?["total_count"].as_u64()
}

async fn filters_keep_matches_and_the_count_agrees(context: &Context) -> CheckResult {
    let Some(user_id) = context.options.user_id.clone() else {
        return Ok(Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    let user = context
        .send(&Request::get(format!("/users/{user_id}")))
        .await?;
    if !findings.status(&user, 200) {
        return Ok(findings.outcome());
    }
    let body = user.json.unwrap_or(Value::Null);
    let mut filters: Vec<(&str, String, Vec<String>)> = vec![
        ("user_id", user_id.clone(), vec![user_id.clone()]),
        ("user_id", UNKNOWN_USER.to_owned(), Vec::new()),
    ];
    if let Some(email) = body["email_addresses"][0]["email_address"].as_str() {
        filters.push(("email_address", email.to_uppercase(), vec![user_id.clone()]));
    }
    for (name, value, expected) in filters {
        let listed = context
            .send(&Request::get("/users").query(name, &value))
            .await?;
        let counted = context
            .send(&Request::get("/users/count").query(name, &value))
            .await?;
        if !(findings.status(&listed, 200) && findings.status(&counted, 200)) {
            continue;
        }
        let found = user_ids(&listed);
        findings.expect(found == expected, || {
            format!("GET /v1/users?{name}={value} listed {found:?}, not {expected:?}")
        });
        findings.expect(total_count(&counted) == Some(found.len() as u64), || {
            format!(
                "GET /v1/users/count?{name}={value} counted {:?} for {} listed",
                total_count(&counted),
                found.len()
            )
        });
    }
    Ok(findings.outcome())
}

async fn pages_are_newest_first_without_gaps(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let whole = context
        .send(&Request::get("/users").query("limit", "10"))
        .await?;
    let first = context
        .send(&Request::get("/users").query("limit", "5"))
        .await?;
    let second = context
        .send(
            &Request::get("/users")
                .query("limit", "5")
                .query("offset", "5"),
        )
        .await?;
    let counted = context.send(&Request::get("/users/count")).await?;
    for exchange in [&whole, &first, &second, &counted] {
        findings.status(exchange, 200);
    }
    let mut paged = user_ids(&first);
    paged.extend(user_ids(&second));
    let whole_ids = user_ids(&whole);
    findings.expect(paged == whole_ids, || {
        format!("two pages of 5 ({paged:?}) are not the first 10 ({whole_ids:?})")
    });
    let created: Vec<i64> = whole
        .json
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|user| user["created_at"].as_i64())
        .collect();
    findings.expect(created.windows(2).all(|pair| pair[0] >= pair[1]), || {
        format!("not newest first by created_at: {created:?}")
    });
    findings.expect(
        total_count(&counted).is_some_and(|total| total >= whole_ids.len() as u64),
        || {
            format!(
                "the count {:?} is below a page of {}",
                total_count(&counted),
                whole_ids.len()
            )
        },
    );
    Ok(findings.outcome())
}

async fn a_limit_out_of_range_is_422(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    for limit in ["0", "501"] {
        let exchange = context
            .send(&Request::get("/users").query("limit", limit))
            .await?;
        findings.error(&exchange, 422, "form_param_value_invalid", Some("limit"));
    }
    Ok(findings.outcome())
}

async fn an_empty_filter_value_is_422(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context
        .send(&Request::get("/users").query("email_address", ""))
        .await?;
    findings.error(
        &exchange,
        422,
        "form_param_value_invalid",
        Some("email_address"),
    );
    Ok(findings.or_saw("422"))
}
