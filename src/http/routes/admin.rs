//! `/__admin`: the test-control surface. Instances on demand, so each CI job or test gets its
//! own seeded data without restarting anything, a reset back to the seeded state, and a clock
//! per instance.
//! Operations on an instance authenticate with that instance's secret key.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::error::{ApiError, ParamProblem};
use crate::http::AppState;
use crate::http::auth::{authenticated_instance, bearer_key};
use crate::http::body::BodyFields;
use crate::http::route_table::RouteTable;
use crate::http::wire::SessionBody;
use crate::instance::{Instance, NewSession};
use crate::journal::{JournalEntry, JournalFilter};
use crate::registry::RegistryError;

/// Where the test-control surface lives.
pub const ADMIN_PREFIX: &str = "/__admin";

pub fn configure(config: &mut ServiceConfig) {
    config.service(
        utoipa_actix_web::scope(ADMIN_PREFIX)
            .service(create_instance)
            .service(delete_instance)
            .service(reset_instance)
            .service(get_clock)
            .service(change_clock)
            .service(get_journal)
            .service(count_journal)
            .service(clear_journal)
            .service(create_session),
    );
}

/// The instance a request's secret key names, and the key itself (never shown or logged).
pub struct InstanceOwner {
    instance: Arc<Instance>,
    key: String,
}

impl FromRequest for InstanceOwner {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticated_instance(request).and_then(|instance| {
            let key = bearer_key(request)?.to_owned();
            Ok(Self { instance, key })
        }))
    }
}

/// A new instance and the secret key that reaches it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInstance {
    #[schema(example = "instance")]
    pub object: &'static str,
    /// The instance id, also the `kid` of its tokens.
    #[schema(example = "ins_2Kq8mNzXv4pL7rT1sW9yB3cE5fH")]
    pub id: String,
    /// The secret key of the new instance: send it as `Authorization: Bearer <key>`.
    #[schema(example = "sk_test_4fQ9xV2mK7pL1sN8rT3wB6yC0dE5gH2j")]
    pub secret_key: String,
}

/// An instance after an admin operation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceState {
    #[schema(example = "instance")]
    pub object: &'static str,
    #[schema(example = "ins_2Kq8mNzXv4pL7rT1sW9yB3cE5fH")]
    pub id: String,
    /// Whether the instance is gone (after a delete).
    pub deleted: bool,
    /// How many sessions it holds now.
    pub sessions: usize,
}

/// Create an instance
///
/// Creates a fresh, isolated instance seeded like every other (fixtures plus generated data,
/// from the server's seed and the new key), and returns its id and secret key. Needs no key. At
/// most `--max-instances` exist at once; past that the answer is a 409
/// `instance_limit_reached` until one is deleted.
#[utoipa::path(
    operation_id = "CreateInstance",
    tag = "Admin",
    responses(
        (status = 201, description = "The new instance", body = CreatedInstance),
        (status = 409, description = "The bound on instances created on demand is reached", body = crate::error::ClerkErrors),
    )
)]
#[post(
    "/instances",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn create_instance(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let registry = state.registry()?;
    let (secret_key, instance) = registry.create_on_demand().map_err(registry_error)?;
    Ok(HttpResponse::Created().json(CreatedInstance {
        object: "instance",
        id: instance.id().to_string(),
        secret_key,
    }))
}

/// Delete the caller's instance
///
/// Deletes the instance of the secret key in `Authorization`; the key stops working. Only
/// instances created on demand can be deleted (403 `instance_not_deletable` for a configured
/// key).
#[utoipa::path(
    operation_id = "DeleteInstance",
    tag = "Admin",
    responses(
        (status = 200, description = "The instance is gone", body = InstanceState),
        answers::Unauthorized,
        (status = 403, description = "A configured instance cannot be deleted", body = crate::error::ClerkErrors),
    ),
    security(("bearerAuth" = []))
)]
#[delete(
    "/instance",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn delete_instance(
    owner: InstanceOwner,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = state
        .registry()?
        .delete(&owner.key)
        .map_err(registry_error)?;
    Ok(json_ok(&InstanceState {
        object: "instance",
        id: id.to_string(),
        deleted: true,
        sessions: 0,
    }))
}

/// Reset the caller's instance
///
/// Puts the instance of the secret key in `Authorization` back in its seeded state: sessions
/// created since are gone, revoked ones are back, and new ids are drawn again from the start of
/// the seed's sequence. Times are seeded anew relative to now.
#[utoipa::path(
    operation_id = "ResetInstance",
    tag = "Admin",
    responses(
        (status = 200, description = "The instance, reseeded", body = InstanceState),
        answers::Unauthorized,
    ),
    security(("bearerAuth" = []))
)]
#[post(
    "/instance/reset",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn reset_instance(owner: InstanceOwner) -> HttpResponse {
    let instance = Arc::clone(&owner.instance);
    let sessions = web::block(move || instance.reset())
        .await
        .unwrap_or_default();
    json_ok(&InstanceState {
        object: "instance",
        id: owner.instance.id().to_string(),
        deleted: false,
        sessions,
    })
}

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
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
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

/// Read the caller's clock
///
/// The instance's clock: the wall clock unless a test froze, set or advanced it.
#[utoipa::path(
    operation_id = "GetInstanceClock",
    tag = "Admin",
    responses((status = 200, description = "The clock", body = ClockState), answers::Unauthorized),
    security(("bearerAuth" = []))
)]
#[get(
    "/instance/clock",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
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
    operation_id = "ChangeInstanceClock",
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
#[post(
    "/instance/clock",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn change_clock(
    owner: InstanceOwner,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = BodyFields::parse(&request, &body)?;
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
    if !problems.is_empty() {
        return Err(ApiError::InvalidParams(problems));
    }
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

/// A journal entry with the operation it was.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalRecord {
    #[serde(flatten)]
    pub entry: JournalEntry,
    /// The operation id the request was (`RevokeSession`, ...), when it was a documented one.
    #[schema(example = "RevokeSession")]
    pub operation_id: Option<String>,
}

/// The journal, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalPage {
    pub data: Vec<JournalRecord>,
    /// How many entries match the filters.
    pub total_count: usize,
}

/// How many journal entries match.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalCount {
    #[schema(example = "journal_count")]
    pub object: &'static str,
    pub count: usize,
}

/// The entries of `instance`'s journal that the query's filters accept, with their operations.
fn journal_records(
    instance: &Instance,
    request: &HttpRequest,
    routes: &RouteTable,
) -> Result<(Vec<JournalRecord>, usize), ApiError> {
    let mut filter = JournalFilter {
        method: None,
        operation_id: None,
        path: None,
        status: None,
        limit: None,
    };
    for (name, value) in form_urlencoded::parse(request.query_string().as_bytes()) {
        match &*name {
            "method" => filter.method = Some(value.to_uppercase()),
            "operation_id" => filter.operation_id = Some(value.into_owned()),
            "path" => filter.path = Some(value.into_owned()),
            "status" => {
                filter.status = Some(value.parse().map_err(|_| {
                    ApiError::param(ParamProblem::invalid_type("status", "an HTTP status"))
                })?);
            }
            "limit" => {
                filter.limit = Some(value.parse().map_err(|_| {
                    ApiError::param(ParamProblem::invalid_type("limit", "a whole number"))
                })?);
            }
            _ => {}
        }
    }
    let operation_of = |entry: &JournalEntry| {
        actix_web::http::Method::from_bytes(entry.method.as_bytes())
            .ok()
            .and_then(|method| routes.operation(&method, &entry.path))
            .map(|operation| operation.operation_id.clone())
    };
    let records: Vec<JournalRecord> = instance
        .journal()
        .matching(|entry| {
            filter
                .method
                .as_ref()
                .is_none_or(|method| *method == entry.method)
                && filter.path.as_ref().is_none_or(|path| *path == entry.path)
                && filter.status.is_none_or(|status| status == entry.status)
        })
        .into_iter()
        .map(|entry| JournalRecord {
            operation_id: operation_of(&entry),
            entry,
        })
        .filter(|record| {
            filter
                .operation_id
                .as_ref()
                .is_none_or(|wanted| record.operation_id.as_ref() == Some(wanted))
        })
        .collect();
    let limit = filter.limit.unwrap_or(100);
    Ok((records, limit))
}

/// Read the caller's request journal
///
/// The last requests the instance answered (`--journal-size`, default 1000), newest first:
/// method, path, query, status, duration and time, and the operation each was. Never the
/// secret key. Filters intersect.
#[utoipa::path(
    operation_id = "GetInstanceJournal",
    tag = "Admin",
    params(JournalFilter),
    responses((status = 200, description = "The journal", body = JournalPage), answers::Unauthorized, answers::Unprocessable),
    security(("bearerAuth" = []))
)]
#[get(
    "/instance/journal",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn get_journal(
    owner: InstanceOwner,
    request: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let (mut records, limit) = journal_records(&owner.instance, &request, &routes)?;
    let total_count = records.len();
    records.truncate(limit);
    Ok(json_ok(&JournalPage {
        data: records,
        total_count,
    }))
}

/// Count the caller's journal entries
///
/// How many journal entries match the filters: for example
/// `?operation_id=RevokeSession` to assert that a backend revoked exactly once.
#[utoipa::path(
    operation_id = "CountInstanceJournal",
    tag = "Admin",
    params(JournalFilter),
    responses((status = 200, description = "The count", body = JournalCount), answers::Unauthorized, answers::Unprocessable),
    security(("bearerAuth" = []))
)]
#[get(
    "/instance/journal/count",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn count_journal(
    owner: InstanceOwner,
    request: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let (records, _) = journal_records(&owner.instance, &request, &routes)?;
    Ok(json_ok(&JournalCount {
        object: "journal_count",
        count: records.len(),
    }))
}

/// Clear the caller's journal
///
/// Forgets every recorded request, for example between two tests sharing an instance.
#[utoipa::path(
    operation_id = "ClearInstanceJournal",
    tag = "Admin",
    responses((status = 200, description = "The journal is empty", body = JournalCount), answers::Unauthorized),
    security(("bearerAuth" = []))
)]
#[delete(
    "/instance/journal",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn clear_journal(owner: InstanceOwner) -> HttpResponse {
    owner.instance.journal().clear();
    json_ok(&JournalCount {
        object: "journal_count",
        count: 0,
    })
}

/// The body of an admin session creation.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
pub struct AdminSessionRequest {
    /// The user the session is for.
    #[schema(example = "user_2BobJZrdAIU6kShB4Ir5nvFTMPp", min_length = 1)]
    pub user_id: String,
    /// An organization of the user to set as active (the `o` claim of its tokens).
    #[schema(example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub active_organization_id: Option<String>,
    /// Who impersonates the user: an object with at least a string `sub`, shown as the
    /// session's `actor` and as the `act` claim of its tokens.
    #[schema(value_type = Option<Object>, example = json!({"sub": "user_2CarolsZ1EoOyEZmEivtHY0phmf"}))]
    pub actor: Option<serde_json::Value>,
}

/// Create a session for the caller's instance
///
/// Like `POST /v1/sessions`, and also for an impersonated session: `actor` (an object with a
/// string `sub`, the impersonator) shows in the Session and as `act` in its tokens. The session
/// is answered as the server's default API version presents it.
#[utoipa::path(
    operation_id = "CreateInstanceSession",
    tag = "Admin",
    request_body(content = AdminSessionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The new session", body = SessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post(
    "/instance/sessions",
    wrap = "actix_web::middleware::from_fn(crate::http::failures::contain_failures)"
)]
pub async fn create_session(
    owner: InstanceOwner,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = BodyFields::parse(&request, &body)?;
    let actor = match fields.value("actor") {
        None => None,
        Some(actor) if actor.get("sub").is_some_and(serde_json::Value::is_string) => {
            Some(actor.clone())
        }
        Some(_) => {
            return Err(ApiError::param(ParamProblem::invalid_value(
                "actor",
                "must be an object with a string sub",
            )));
        }
    };
    let session = owner
        .instance
        .create_session(NewSession::from_fields(&fields, actor)?)?;
    let now_ms = owner.instance.now_ms();
    Ok(json_ok(&SessionBody::new(
        &session,
        state.default_version,
        now_ms,
    )))
}

fn registry_error(error: RegistryError) -> ApiError {
    match error {
        RegistryError::LimitReached(max) => ApiError::InstanceLimitReached(max),
        RegistryError::NotDeletable => ApiError::InstanceNotDeletable,
        RegistryError::Key(reason) => {
            tracing::error!(%reason, "creating an instance failed");
            ApiError::Internal
        }
    }
}
