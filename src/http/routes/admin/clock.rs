//! The clock of an instance: read it, freeze it, set it, advance it.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::error::{ApiError, ParamProblem};
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::routes::{answers, json_ok};
use crate::tenancy::instance::Instance;

/// An instance's clock.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockState {
    #[schema(example = "clock")]
    pub object: &'static str,
    /// Now on the instance's clock, in Unix milliseconds.
    pub now_ms: i64,
    /// Whether the clock stands still.
    pub frozen: bool,
}

impl ClockState {
    fn of(instance: &Instance) -> Self {
        Self {
            object: "clock",
            now_ms: instance.now_ms(),
            frozen: instance.clock().is_frozen(),
        }
    }
}

/// A change to an instance's clock, applied in this order: set, advance, freeze or unfreeze.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockChange {
    /// Show this instant (Unix milliseconds) from now on.
    #[schema(example = 1_767_225_600_000_i64)]
    pub now_ms: Option<i64>,
    /// Move the clock by this many milliseconds (negative goes back).
    #[schema(example = 691_200_000)]
    pub advance_ms: Option<i64>,
    /// Stop (`true`) or restart (`false`) the clock.
    pub frozen: Option<bool>,
}

impl FromBody for ClockChange {
    /// Every field is optional and typed; any other field is reported too.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut problems: Vec<ParamProblem> = fields
            .unknown(&["now_ms", "advance_ms", "frozen"])
            .map(ParamProblem::unknown)
            .collect();
        let now_ms = fields.integer("now_ms").unwrap_or_else(|problem| {
            problems.push(problem);
            None
        });
        let advance_ms = fields.integer("advance_ms").unwrap_or_else(|problem| {
            problems.push(problem);
            None
        });
        let frozen = fields.boolean("frozen").unwrap_or_else(|problem| {
            problems.push(problem);
            None
        });
        if problems.is_empty() {
            Ok(Self {
                now_ms,
                advance_ms,
                frozen,
            })
        } else {
            Err(ApiError::InvalidParams(problems))
        }
    }
}

/// Read the caller's clock
///
/// The instance's clock: the wall clock unless a test froze, set or advanced it.
#[utoipa::path(
    operation_id = super::GET_INSTANCE_CLOCK.id.as_str(),
    tag = "Admin",
    responses((status = 200, description = "The clock", body = ClockState), answers::Unauthorized),
    security(("bearerAuth" = []))
)]
#[get("/instance/clock")]
pub async fn get_clock(owner: InstanceOwner) -> HttpResponse {
    json_ok(&ClockState::of(&owner.instance))
}

/// Freeze, set or advance the caller's clock
///
/// Sessions follow the instance's clock: past `expire_at` a session reads as `expired`, past
/// `abandon_at` as `abandoned`, in get, list, filters and counts alike, and new sessions are
/// created at its time. Token times stay on the wall clock, which SDKs check them against.
/// A reset of the instance puts the wall clock back.
#[utoipa::path(
    operation_id = super::CHANGE_INSTANCE_CLOCK.id.as_str(),
    tag = "Admin",
    request_body(content = ClockChange, content_type = "application/json"),
    responses(
        (status = 200, description = "The clock after the change", body = ClockState),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/clock")]
pub async fn change_clock(
    owner: InstanceOwner,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let ClockChange {
        now_ms,
        advance_ms,
        frozen,
    } = ClockChange::from_body(&request, &body)?;
    let clock = owner.instance.clock();
    if let Some(now_ms) = now_ms {
        clock.set(now_ms);
    }
    if let Some(advance_ms) = advance_ms {
        clock.advance(advance_ms);
    }
    match frozen {
        Some(true) => clock.freeze(),
        Some(false) => clock.unfreeze(),
        None => {}
    }
    Ok(json_ok(&ClockState::of(&owner.instance)))
}
