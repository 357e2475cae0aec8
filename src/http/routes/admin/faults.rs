//! The faults of an instance: read them, replace them, restore the server's configured ones.

use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use serde::Deserialize;

use super::InstanceOwner;
use crate::error::{ApiError, ParamProblem};
use crate::http::extract::body::BodyFields;
use crate::http::routes::{answers, json_ok};
use crate::tenancy::faults::FaultPlan;

/// Read the caller's faults
///
/// The latency, failures and rate limit the instance's API requests meet now: the server's
/// `--fault-*` and `--rate-limit` flags unless a test changed them.
#[utoipa::path(
    operation_id = super::GET_INSTANCE_FAULTS.id.as_str(),
    tag = "Admin",
    responses((status = 200, description = "The faults", body = FaultPlan), answers::Unauthorized),
    security(("bearerAuth" = []))
)]
#[get("/instance/faults")]
pub async fn get_faults(owner: InstanceOwner) -> HttpResponse {
    json_ok(&*owner.instance.faults().plan())
}

/// Set the caller's faults
///
/// Replaces the faults of the instance's API (`/v1`) requests. `default` applies to every
/// operation; `operations` holds rules by operation id, each field of which overrides the
/// default's. A rule delays answers (`delay_ms`, plus up to `jitter_ms` drawn per request),
/// answers a share of them with a server error (`error_rate`, `error_status`), or resets a share
/// of connections without an answer (`reset_rate`). `rate_limit` counts every API request of
/// the secret key in fixed windows and answers 429 `too_many_requests` with `Retry-After` past
/// the count, as Clerk does (100 per 10 s on development instances). Setting faults starts a
/// new rate-limit window. Injected answers are recorded in the journal with their `fault`.
///
/// One request can ask for the same with `Prefer: delay=300`, `jitter=100` or
/// `fault=reset|rate_limit|500|502|503|504`, whatever the instance's faults are.
#[utoipa::path(
    operation_id = super::SET_INSTANCE_FAULTS.id.as_str(),
    tag = "Admin",
    request_body(content = FaultPlan, content_type = "application/json"),
    responses(
        (status = 200, description = "The faults now in force", body = FaultPlan),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[put("/instance/faults")]
pub async fn set_faults(
    owner: InstanceOwner,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = BodyFields::parse(&request, &body)?;
    owner.instance.faults().set(checked_plan(fields.as_map())?);
    Ok(json_ok(&*owner.instance.faults().plan()))
}

/// The fault plan a JSON object describes, or a 422 naming each field that is wrong.
pub fn checked_plan(
    plan: &serde_json::Map<String, serde_json::Value>,
) -> Result<FaultPlan, ApiError> {
    let plan = FaultPlan::deserialize(plan)
        .map_err(|error| ApiError::param(ParamProblem::invalid_value("body", error.to_string())))?;
    let problems = plan.problems();
    if problems.is_empty() {
        return Ok(plan);
    }
    Err(ApiError::InvalidParams(
        problems
            .into_iter()
            .map(|(field, problem)| ParamProblem::invalid_value(&field, problem))
            .collect(),
    ))
}

/// Restore the server's faults
///
/// Puts the instance's faults back to the server's configured ones (none unless the server was
/// started with `--fault-*` or `--rate-limit` flags), and starts a new rate-limit window. A
/// reset of the instance does the same.
#[utoipa::path(
    operation_id = super::RESTORE_INSTANCE_FAULTS.id.as_str(),
    tag = "Admin",
    responses((status = 200, description = "The faults now in force", body = FaultPlan), answers::Unauthorized),
    security(("bearerAuth" = []))
)]
#[delete("/instance/faults")]
pub async fn restore_faults(owner: InstanceOwner) -> HttpResponse {
    owner.instance.faults().restore();
    json_ok(&*owner.instance.faults().plan())
}
