//! `ApiError`: every error the server answers with, and the only place that builds Clerk's
//! error envelope; what is wrong with one parameter is [`param`]'s.

mod param;

#[cfg(test)]
pub use param::param_problems;
pub use param::{ParamProblem, ParamProblemKind};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use rand::RngExt;
use serde::Serialize;
use utoipa::ToSchema;

/// Clerk's error envelope, the body of every non-2xx answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "errors": [{
        "message": "not found",
        "long_message": "No session was found with id sess_2AliceActiveZICgVFaEP1MWWEP",
        "code": "resource_not_found"
    }],
    "clerk_trace_id": "2c1e6b1c9a0b4d7e8f3a5b6c7d8e9f01"
}))]
pub struct ClerkErrors {
    pub errors: Vec<ClerkError>,
    /// Identifies the request in the server's logs.
    pub clerk_trace_id: String,
}

/// One error of the envelope.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ClerkError {
    /// A short, lower-case summary.
    pub message: String,
    /// A full sentence for people.
    pub long_message: String,
    /// A stable machine-readable code, such as `resource_not_found`.
    pub code: String,
    /// Details such as `param_name`, the offending parameter; absent when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub meta: Option<serde_json::Map<String, serde_json::Value>>,
}

pub(crate) fn param_meta(param: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut meta = serde_json::Map::new();
    meta.insert("param_name".to_owned(), param.into());
    meta
}

/// Every error answer the API gives. Each variant knows its status and its Clerk error(s).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("no Authorization header")]
    MissingAuthorization,
    #[error("Authorization header is not `Bearer <key>`")]
    MalformedAuthorization,
    #[error("secret key not accepted")]
    InvalidSecretKey,
    #[error("unknown API version `{0}`")]
    InvalidApiVersion(String),
    #[error("API version given both as header and as query parameter")]
    ConflictingApiVersions,
    #[error("neither user_id nor client_id given")]
    MissingListFilter,
    #[error("invalid parameters: {0:?}")]
    InvalidParams(Vec<ParamProblem>),
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    #[error("{resource} {id} not found")]
    NotFound { resource: &'static str, id: String },
    #[error("no JWT template named {0}")]
    TemplateNotFound(String),
    #[error("the operation is retired in this API version")]
    Gone,
    #[error("no more than {0} instances may be created on demand")]
    InstanceLimitReached(usize),
    #[error("instances created on demand may take no more than {0} MiB")]
    InstanceMemoryExhausted(usize),
    /// A write past the instance's memory bound: 409, or the status the operation documents
    /// for a quota (402 for CreateUser, 422 for the metadata writes).
    #[error("the instance's data may take no more than {limit_mib} MiB")]
    InstanceFull { limit_mib: usize, status: u16 },
    #[error("the user is banned")]
    UserBanned,
    #[error("the user is locked")]
    UserLocked,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("the user is not a member of the organization")]
    NotAMember,
    #[error("invalid journal pattern at {part}: {reason}")]
    InvalidPattern { part: String, reason: String },
    #[error("no organization role {0}")]
    RoleNotFound(String),
    #[error("{0} is already a member")]
    AlreadyAMember(String),
    #[error("no creator {0}")]
    CreatorNotFound(String),
    #[error("the organization has its {0} members")]
    MembershipQuotaExceeded(i64),
    #[error("the sign-in token is {0} and cannot be revoked")]
    SignInTokenNotRevocable(&'static str),
    #[error("the sign-in token cannot be redeemed: {0}")]
    SignInTokenNotRedeemable(String),
    #[error("payment required: {0}")]
    PaymentRequired(String),
    #[error("only instances created on demand can be deleted")]
    InstanceNotDeletable,
    #[error("the server has no state file")]
    NoStateFile,
    #[error("webhook endpoint: {param} {reason}")]
    WebhookInvalid { param: String, reason: String },
    #[error("an instance has at most {0} webhook endpoints")]
    WebhookLimitReached(usize),
    #[error("the state was not saved: {0}")]
    StateNotSaved(String),
    #[error("cross-origin request to the admin surface from {0}")]
    AdminOriginRefused(String),
    #[error("invalid session token: {0}")]
    InvalidSessionToken(String),
    #[error("session not refreshed: {0}")]
    RefreshRefused(String),
    #[error("no route for {method} {path}")]
    RouteNotFound {
        method: String,
        path: String,
        /// The documented operation it most likely meant, as `METHOD /path`.
        suggestion: Option<String>,
    },
    #[error("method not allowed; allowed: {allowed:?}")]
    MethodNotAllowed { allowed: Vec<String> },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("Prefer code={requested} is not documented; documented: {documented:?}")]
    UndocumentedStatus {
        requested: String,
        documented: Vec<u16>,
    },
    #[error("Prefer {0} cannot be applied")]
    InvalidPreference(String),
    #[error("rate limited; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("injected server error {0}")]
    InjectedFault(u16),
    #[error("malformed request")]
    BadRequest,
    #[error("data is still being seeded")]
    NotReady,
    #[error("internal error")]
    Internal,
}

/// How many characters of a value taken from the request (an id, a name, an origin) an error
/// quotes back: more than any real id, and little enough that an absurd one is never echoed whole.
pub const QUOTED_CHARS: usize = 100;

/// The first [`QUOTED_CHARS`] characters of `asked`, as an error message quotes it.
pub fn quoted(asked: &str) -> String {
    asked.chars().take(QUOTED_CHARS).collect()
}

impl ApiError {
    /// 404 `resource_not_found` for the `resource` the request named `asked`.
    pub fn not_found(resource: &'static str, asked: &str) -> Self {
        Self::NotFound {
            resource,
            id: quoted(asked),
        }
    }

    /// 409 for a write past the instance's memory bound of `limit_mib`.
    pub fn instance_full(limit_mib: usize) -> Self {
        Self::InstanceFull {
            limit_mib,
            status: 409,
        }
    }

    /// One invalid parameter.
    pub fn param(problem: ParamProblem) -> Self {
        Self::InvalidParams(vec![problem])
    }

    /// The canonical error for a status produced outside the handlers (by routing, the payload
    /// limit or the framework), so that no answer ever leaves without the envelope.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::RouteNotFound {
                method: String::new(),
                path: String::new(),
                suggestion: None,
            },
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed {
                allowed: Vec::new(),
            },
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::SERVICE_UNAVAILABLE => Self::NotReady,
            status if status.is_client_error() => Self::BadRequest,
            _ => Self::Internal,
        }
    }

    /// The Clerk errors this answer carries.
    pub fn errors(&self) -> Vec<ClerkError> {
        let simple = |code: &str, message: &str, long_message: String| ClerkError {
            message: message.to_owned(),
            long_message,
            code: code.to_owned(),
            meta: None,
        };
        match self {
            Self::MissingAuthorization => vec![simple(
                "authentication_invalid",
                "Invalid authentication",
                "Unable to authenticate the request: the Authorization header is missing. Send `Authorization: Bearer <secret key>`.".into(),
            )],
            Self::MalformedAuthorization => vec![simple(
                "authorization_header_format_invalid",
                "Invalid Authorization header format",
                "Invalid Authorization header format. Must be \"Bearer <YOUR_API_KEY>\".".into(),
            )],
            Self::InvalidSecretKey => vec![simple(
                "clerk_key_invalid",
                "Secret Key invalid",
                "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.".into(),
            )],
            Self::InvalidApiVersion(given) => vec![ClerkError {
                meta: Some(param_meta("Clerk-API-Version")),
                ..simple(
                    "api_version_invalid",
                    "Invalid API version",
                    format!(
                        "`{given}` is not a valid Clerk API version. Known versions: {}.",
                        known_versions()
                    ),
                )
            }],
            Self::ConflictingApiVersions => vec![ClerkError {
                meta: Some(param_meta("__clerk_api_version")),
                ..simple(
                    "api_version_invalid",
                    "Invalid API version",
                    "Give the API version either in the Clerk-API-Version header or in the __clerk_api_version query parameter, not both.".into(),
                )
            }],
            Self::MissingListFilter => vec![simple(
                "missing_query_parameter",
                "Missing query parameter",
                "At least one of the query parameters user_id or client_id must be provided (deprecation notice of 2024-01-01).".into(),
            )],
            Self::InvalidParams(problems) => problems.iter().map(ParamProblem::to_error).collect(),
            Self::MalformedBody(detail) => vec![simple(
                "request_body_invalid",
                "Request body invalid",
                format!("The request body is not valid JSON or form data: {detail}."),
            )],
            Self::NotFound { resource, id } => vec![simple(
                "resource_not_found",
                &format!("{resource} not found"),
                format!("No {} was found with id {id}", resource.to_lowercase()),
            )],
            Self::TemplateNotFound(name) => vec![simple(
                "resource_not_found",
                "JWT template not found",
                format!("No JWT template named {name} exists in this instance."),
            )],
            Self::Gone => vec![simple(
                "operation_deprecated",
                "Operation deprecated",
                "This endpoint is deprecated and no longer available from API version 2025-04-10. Verify session tokens networklessly with the instance's JWKS instead.".into(),
            )],
            Self::InstanceLimitReached(max) => vec![simple(
                "instance_limit_reached",
                "Too many instances",
                format!("No more than {max} instances may exist on demand at once (--max-instances); delete one first."),
            )],
            Self::InstanceMemoryExhausted(mib) => vec![simple(
                "instance_limit_reached",
                "Too many instances",
                format!("One more instance would take the instances created on demand past {mib} MiB of memory (--instance-memory-mib); delete one first."),
            )],
            Self::InstanceFull { limit_mib: mib, .. } => vec![simple(
                "instance_memory_exhausted",
                "Instance full",
                format!("This write would take the instance's data past {mib} MiB (--instance-memory-mib, which bounds each configured instance and the instances created on demand together). Reset the instance, load with replace=true, or delete instances created on demand."),
            )],
            Self::UserBanned => vec![simple(
                "user_banned",
                "User banned",
                "You have been banned. If you think this was by mistake, please contact support.".into(),
            )],
            Self::UserLocked => vec![simple(
                "user_locked",
                "Account locked",
                "Your account is locked. You will be able to try again once the lock expires (POST /v1/users/{user_id}/unlock removes it).".into(),
            )],
            Self::NotAMember => vec![simple(
                "not_a_member_in_organization",
                "not a member",
                "Current user is not a member of the organization. Only organization members can perform this action.".into(),
            )],
            Self::InvalidPattern { part, reason } => vec![ClerkError {
                meta: Some(param_meta(part)),
                ..simple(
                    "pattern_invalid",
                    "Pattern invalid",
                    format!("The journal pattern is invalid at {part}: {reason}."),
                )
            }],
            Self::RoleNotFound(role) => vec![ClerkError {
                meta: Some(param_meta("role")),
                ..simple(
                    "resource_not_found",
                    "not found",
                    format!("Organization role not found: {role}. Use org:admin, org:member, or a role a member of the organization holds."),
                )
            }],
            Self::AlreadyAMember(user) => vec![simple(
                "already_a_member_in_organization",
                "already a member",
                format!("{user} is already a member of the organization."),
            )],
            Self::CreatorNotFound(user) => vec![ClerkError {
                meta: Some(param_meta("created_by")),
                ..simple(
                    "organization_creator_not_found",
                    "creator not found",
                    format!("No users found with id {user}."),
                )
            }],
            Self::MembershipQuotaExceeded(limit) => vec![simple(
                "organization_membership_quota_exceeded",
                "organization membership quota exceeded",
                format!("You have reached your limit of {limit} organization memberships, including outstanding invitations."),
            )],
            Self::SignInTokenNotRevocable(status) => vec![simple(
                "sign_in_token_cannot_be_revoked_code",
                "cannot revoke",
                format!("Sign in token cannot be revoked because its status is {status}. Only pending tokens can be revoked."),
            )],
            Self::SignInTokenNotRedeemable(reason) => vec![simple(
                "sign_in_token_not_redeemable",
                "cannot redeem",
                format!("The sign-in token cannot be redeemed: {reason}. Create a new one with POST /v1/sign_in_tokens."),
            )],
            Self::Forbidden(reason) => vec![simple(
                "authorization_invalid",
                "Unauthorized request",
                format!("You are not authorized to perform this request: {reason}."),
            )],
            Self::PaymentRequired(feature) => vec![simple(
                "payment_required",
                "Payment required",
                format!("{feature} is not included in this instance's plan."),
            )],
            Self::AdminOriginRefused(origin) => vec![simple(
                "origin_not_allowed",
                "Origin not allowed",
                format!(
                    "The test-control surface (/__admin) takes cross-origin requests only from the origins listed with --admin-cors-origin, and {origin} is not one of them."
                ),
            )],
            Self::InstanceNotDeletable => vec![simple(
                "instance_not_deletable",
                "Instance not deletable",
                "Only instances created with POST /__admin/instances can be deleted; reset a configured one instead.".into(),
            )],
            Self::WebhookInvalid { param, reason } => vec![ClerkError {
                meta: Some(param_meta(param)),
                ..simple(
                    "webhook_endpoint_invalid",
                    "Invalid webhook request",
                    format!("{param} {reason}."),
                )
            }],
            Self::WebhookLimitReached(limit) => vec![simple(
                "webhook_endpoint_limit_reached",
                "Webhook endpoint limit reached",
                format!("An instance has at most {limit} webhook endpoints; remove one first."),
            )],
            Self::NoStateFile => vec![simple(
                "state_file_not_configured",
                "No state file",
                "The server was started without --state FILE, so there is nowhere to save its instances.".into(),
            )],
            Self::StateNotSaved(reason) => vec![simple(
                "state_not_saved",
                "State not saved",
                format!("The state file could not be written: {reason}."),
            )],
            Self::InvalidSessionToken(reason) => vec![simple(
                "invalid_session_token",
                "Invalid session token",
                format!("The session token is not valid for this session: {reason}."),
            )],
            Self::RefreshRefused(reason) => vec![simple(
                "authentication_invalid",
                "Invalid authentication",
                format!("The session cannot be refreshed: {reason}."),
            )],
            Self::RouteNotFound {
                method,
                path,
                suggestion,
            } => vec![simple(
                "resource_not_found",
                "not found",
                match (path.is_empty(), suggestion) {
                    (true, _) => "The requested resource was not found.".to_owned(),
                    (false, None) => format!("There is no operation at {method} {path}."),
                    (false, Some(suggestion)) => format!(
                        "There is no operation at {method} {path}. Did you mean {suggestion}?"
                    ),
                },
            )],
            Self::MethodNotAllowed { allowed } => vec![simple(
                "method_not_allowed",
                "Method not allowed",
                if allowed.is_empty() {
                    "This method is not allowed on this path.".to_owned()
                } else {
                    format!("This path allows only {}.", allowed.join(", "))
                },
            )],
            Self::PayloadTooLarge => vec![simple(
                "request_body_too_large",
                "Request body too large",
                "The request body is larger than this endpoint accepts.".into(),
            )],
            Self::UndocumentedStatus {
                requested,
                documented,
            } => vec![ClerkError {
                meta: Some(param_meta("Prefer")),
                ..simple(
                    "prefer_code_invalid",
                    "Status not documented",
                    format!(
                        "Prefer: code={requested} asks for a status this operation does not document. Documented: {}.",
                        documented
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            }],
            Self::InvalidPreference(preference) => vec![ClerkError {
                meta: Some(param_meta("Prefer")),
                ..simple(
                    "prefer_invalid",
                    "Preference invalid",
                    format!(
                        "Prefer: {preference} cannot be applied. Supported: code=<status>, delay=<ms>, jitter=<ms> (each at most 60000), fault=reset|rate_limit|500|502|503|504."
                    ),
                )
            }],
            Self::RateLimited { .. } => vec![simple(
                "too_many_requests",
                "Too many requests",
                "Too many requests, retry later".into(),
            )],
            Self::InjectedFault(status) => vec![match status {
                502 => simple(
                    "bad_gateway",
                    "Bad gateway",
                    "The server received an invalid response from an upstream server.".into(),
                ),
                503 => simple(
                    "service_unavailable",
                    "Service unavailable",
                    "The service is temporarily unavailable; retry later.".into(),
                ),
                504 => simple(
                    "gateway_timeout",
                    "Gateway timeout",
                    "An upstream server did not answer in time.".into(),
                ),
                _ => Self::Internal.errors().remove(0),
            }],
            Self::BadRequest => vec![simple(
                "bad_request",
                "Bad request",
                "The request could not be understood.".into(),
            )],
            Self::NotReady => vec![simple(
                "service_unavailable",
                "Not ready",
                "The server is still seeding its data; retry in a moment.".into(),
            )],
            Self::Internal => vec![simple(
                "internal_clerk_error",
                "Oops, something went wrong",
                "There was an internal error on our servers. We've been notified and are working on fixing it.".into(),
            )],
        }
    }
}

fn known_versions() -> String {
    crate::domain::ApiVersion::ALL
        .iter()
        .map(|version| version.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The trace id an error answer carries in its body, kept with the answer for the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(pub String);

/// A fresh id for one answer, shown to the caller and written to the log.
pub fn new_trace_id() -> String {
    let value: u128 = rand::rng().random();
    format!("{value:032x}")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MissingAuthorization
            | Self::MalformedAuthorization
            | Self::InvalidSecretKey
            | Self::RefreshRefused(_) => StatusCode::UNAUTHORIZED,
            Self::InvalidApiVersion(_)
            | Self::ConflictingApiVersions
            | Self::MissingListFilter
            | Self::MalformedBody(_)
            | Self::InvalidSessionToken(_)
            | Self::UndocumentedStatus { .. }
            | Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Gone => StatusCode::GONE,
            Self::InstanceLimitReached(_)
            | Self::InstanceMemoryExhausted(_)
            | Self::NoStateFile
            | Self::WebhookLimitReached(_) => StatusCode::CONFLICT,
            Self::InstanceFull { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::CONFLICT)
            }
            Self::InstanceNotDeletable
            | Self::AdminOriginRefused(_)
            | Self::UserBanned
            | Self::UserLocked
            | Self::NotAMember
            | Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::SignInTokenNotRevocable(_)
            | Self::WebhookInvalid { .. }
            | Self::InvalidPattern { .. }
            | Self::AlreadyAMember(_)
            | Self::CreatorNotFound(_) => StatusCode::BAD_REQUEST,
            Self::RoleNotFound(_) => StatusCode::NOT_FOUND,
            Self::MembershipQuotaExceeded(_) => StatusCode::FORBIDDEN,
            Self::SignInTokenNotRedeemable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            Self::InvalidParams(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound { .. } | Self::TemplateNotFound(_) | Self::RouteNotFound { .. } => {
                StatusCode::NOT_FOUND
            }
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            Self::InvalidPreference(_) => StatusCode::BAD_REQUEST,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::InjectedFault(status) => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            Self::Internal | Self::StateNotSaved(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let trace_id = new_trace_id();
        let envelope = ClerkErrors {
            errors: self.errors(),
            clerk_trace_id: trace_id.clone(),
        };
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ));
        match self {
            Self::MethodNotAllowed { allowed } if !allowed.is_empty() => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            Self::NotReady => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        let mut answer = match serde_json::to_vec(&envelope) {
            Ok(body) => response.body(body),
            // Serialising strings and maps cannot fail; answer with a fixed envelope regardless.
            Err(_) => response.body(
                r#"{"errors":[{"message":"Oops, something went wrong","long_message":"There was an internal error on our servers.","code":"internal_clerk_error"}],"clerk_trace_id":""}"#,
            ),
        };
        answer.extensions_mut().insert(TraceId(trace_id));
        answer
    }
}
