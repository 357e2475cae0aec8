//! `/__admin`: the test-control surface. Instances on demand, so each CI job or test gets its
//! own seeded data without restarting anything, a reset back to the seeded state, data loaded
//! and exported, a clock, a request journal and faults per instance.
//! Operations on an instance authenticate with that instance's secret key.

use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::{FromRequest, web};
use futures_util::future::LocalBoxFuture;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ParamProblem};
use crate::http::AppState;
use crate::http::operation::{Operation, OperationId, PathParams, malformed_body};
use crate::http::pipeline::authentication::{bearer_key, instance_for};
use crate::tenancy::instance::Instance;
use crate::tenancy::registry::RegistryError;

pub use data::load_document;
pub use faults::checked_plan;
pub use journal::{MAX_WAIT_MS, invalid_pattern};

mod active_organization;
mod clock;
mod data;
mod faults;
mod instances;
mod journal;
mod sessions;
mod sign_in_tokens;
mod state;
mod unauthenticated;
mod webhooks;

/// The example each documented error shows in the spec. Admin operations are not subject to
/// `Prefer`.
pub const OPERATIONS: &[Operation] = &[
    CREATE_INSTANCE,
    DELETE_INSTANCE,
    RESET_INSTANCE,
    GET_INSTANCE_CLOCK,
    CHANGE_INSTANCE_CLOCK,
    GET_INSTANCE_JOURNAL,
    COUNT_INSTANCE_JOURNAL,
    CLEAR_INSTANCE_JOURNAL,
    FIND_INSTANCE_JOURNAL,
    COUNT_INSTANCE_JOURNAL_BY_PATTERN,
    WAIT_INSTANCE_JOURNAL,
    GET_UNAUTHENTICATED_JOURNAL,
    SAVE_STATE,
    CREATE_INSTANCE_WEBHOOK,
    LIST_INSTANCE_WEBHOOKS,
    GET_INSTANCE_WEBHOOK,
    DELETE_INSTANCE_WEBHOOK,
    LIST_INSTANCE_WEBHOOK_DELIVERIES,
    REPLAY_INSTANCE_WEBHOOK_EVENT,
    SEND_INSTANCE_WEBHOOK_TEST_EVENT,
    CREATE_INSTANCE_SESSION,
    GET_INSTANCE_SESSION_REFRESH_TOKEN,
    CREATE_INSTANCE_SESSION_TOKEN,
    REDEEM_INSTANCE_SIGN_IN_TOKEN,
    SET_INSTANCE_SESSION_ORGANIZATION,
    LOAD_INSTANCE_DATA,
    EXPORT_INSTANCE_DATA,
    GET_INSTANCE_FAULTS,
    SET_INSTANCE_FAULTS,
    RESTORE_INSTANCE_FAULTS,
];

pub const CREATE_INSTANCE: Operation = Operation {
    id: OperationId::CreateInstance,
    canonical_error: |status, _| (status == 409).then_some(ApiError::InstanceLimitReached(64)),
};

pub const DELETE_INSTANCE: Operation = Operation {
    id: OperationId::DeleteInstance,
    canonical_error: |status, _| match status {
        401 => Some(ApiError::MissingAuthorization),
        403 => Some(ApiError::InstanceNotDeletable),
        _ => None,
    },
};

pub const RESET_INSTANCE: Operation = Operation {
    id: OperationId::ResetInstance,
    canonical_error: unauthorized_only,
};

pub const GET_INSTANCE_CLOCK: Operation = Operation {
    id: OperationId::GetInstanceClock,
    canonical_error: unauthorized_only,
};

pub const CHANGE_INSTANCE_CLOCK: Operation = Operation {
    id: OperationId::ChangeInstanceClock,
    canonical_error: |status, _| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        422 => Some(ApiError::param(ParamProblem::invalid_type(
            "advance_ms",
            "a whole number",
        ))),
        _ => None,
    },
};

pub const GET_INSTANCE_JOURNAL: Operation = Operation {
    id: OperationId::GetInstanceJournal,
    canonical_error: journal_error,
};

pub const COUNT_INSTANCE_JOURNAL: Operation = Operation {
    id: OperationId::CountInstanceJournal,
    canonical_error: journal_error,
};

pub const CLEAR_INSTANCE_JOURNAL: Operation = Operation {
    id: OperationId::ClearInstanceJournal,
    canonical_error: unauthorized_only,
};

pub const FIND_INSTANCE_JOURNAL: Operation = Operation {
    id: OperationId::FindInstanceJournal,
    canonical_error: pattern_error,
};

pub const COUNT_INSTANCE_JOURNAL_BY_PATTERN: Operation = Operation {
    id: OperationId::CountInstanceJournalByPattern,
    canonical_error: pattern_error,
};

pub const WAIT_INSTANCE_JOURNAL: Operation = Operation {
    id: OperationId::WaitInstanceJournal,
    canonical_error: pattern_error,
};

pub const GET_UNAUTHENTICATED_JOURNAL: Operation = Operation {
    id: OperationId::GetUnauthenticatedJournal,
    canonical_error: |status, _| match status {
        401 => Some(ApiError::MissingAuthorization),
        403 => Some(not_the_operator("read the unauthenticated journal")),
        _ => None,
    },
};

pub const SAVE_STATE: Operation = Operation {
    id: OperationId::SaveState,
    canonical_error: |status, _| {
        match status {
        401 => Some(ApiError::MissingAuthorization),
        403 => Some(not_the_operator("save the state")),
        409 => Some(ApiError::NoStateFile),
        500 => Some(ApiError::StateNotSaved(
            "--state /var/lib/clerk-mock/state.json: cannot write it: No such file or directory (os error 2)".to_owned(),
        )),
        _ => None,
    }
    },
};

pub const CREATE_INSTANCE_WEBHOOK: Operation = Operation {
    id: OperationId::CreateInstanceWebhook,
    canonical_error: |status, _| match status {
        400 => Some(ApiError::WebhookInvalid {
            param: "url".to_owned(),
            reason: "the scheme must be http or https, not ftp".to_owned(),
        }),
        401 => Some(ApiError::MissingAuthorization),
        409 => Some(ApiError::WebhookLimitReached(
            crate::webhooks::MAX_ENDPOINTS,
        )),
        _ => None,
    },
};

pub const LIST_INSTANCE_WEBHOOKS: Operation = Operation {
    id: OperationId::ListInstanceWebhooks,
    canonical_error: unauthorized_only,
};

pub const GET_INSTANCE_WEBHOOK: Operation = Operation {
    id: OperationId::GetInstanceWebhook,
    canonical_error: webhook_endpoint_error,
};

pub const DELETE_INSTANCE_WEBHOOK: Operation = Operation {
    id: OperationId::DeleteInstanceWebhook,
    canonical_error: webhook_endpoint_error,
};

pub const LIST_INSTANCE_WEBHOOK_DELIVERIES: Operation = Operation {
    id: OperationId::ListInstanceWebhookDeliveries,
    canonical_error: webhook_endpoint_error,
};

pub const REPLAY_INSTANCE_WEBHOOK_EVENT: Operation = Operation {
    id: OperationId::ReplayInstanceWebhookEvent,
    canonical_error: |status, params| match status {
        400 => Some(ApiError::WebhookInvalid {
            param: "event_id".to_owned(),
            reason: "is required".to_owned(),
        }),
        _ => webhook_endpoint_error(status, params),
    },
};

pub const SEND_INSTANCE_WEBHOOK_TEST_EVENT: Operation = Operation {
    id: OperationId::SendInstanceWebhookTestEvent,
    canonical_error: |status, params| match status {
        400 => Some(ApiError::WebhookInvalid {
            param: "type".to_owned(),
            reason: "\"user.exploded\" is not an event type the mock sends".to_owned(),
        }),
        _ => webhook_endpoint_error(status, params),
    },
};

/// The documented errors of an operation on one webhook endpoint.
fn webhook_endpoint_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(ApiError::not_found(
            "Webhook endpoint",
            &params.get_or("endpoint_id", "ep_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f"),
        )),
        _ => None,
    }
}

/// The 403 of a server-wide call made with a key other than the operator's.
fn not_the_operator(action: &str) -> ApiError {
    ApiError::Forbidden(format!(
        "only a key the server was started with (--secret-key) may {action}"
    ))
}

/// Lets through only a key the server was started with (`--secret-key`), the operator's, for
/// calls that reach beyond one instance: never the key of an instance created on demand or
/// accepted on first use, so that a CI job sharing a server cannot reach what is not its own.
pub fn operator_only(
    registry: &crate::tenancy::registry::Registry,
    request: &HttpRequest,
    action: &str,
) -> Result<(), ApiError> {
    let key = bearer_key(request)?;
    if registry.is_configured(key) {
        return Ok(());
    }
    Err(match registry.lookup(key) {
        crate::tenancy::registry::Lookup::Found(_) => not_the_operator(action),
        _ => ApiError::InvalidSecretKey,
    })
}

/// The documented errors of the journal's pattern operations.
fn pattern_error(status: u16, _: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(ApiError::InvalidPattern {
            part: "path_regex".to_owned(),
            reason: "unclosed group".to_owned(),
        }),
        401 => Some(ApiError::MissingAuthorization),
        422 => Some(ApiError::param(ParamProblem::invalid_type(
            "limit",
            "a whole number",
        ))),
        _ => None,
    }
}

pub const CREATE_INSTANCE_SESSION: Operation = Operation {
    id: OperationId::CreateInstanceSession,
    canonical_error: |status, params| match status {
        409 => Some(ApiError::instance_full(1024)),
        _ => super::sessions::create_session_error(status, params),
    },
};

pub const GET_INSTANCE_SESSION_REFRESH_TOKEN: Operation = Operation {
    id: OperationId::GetInstanceSessionRefreshToken,
    canonical_error: |status, params| match status {
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(super::sessions::path_session_not_found(params)),
        _ => None,
    },
};

pub const CREATE_INSTANCE_SESSION_TOKEN: Operation = Operation {
    id: OperationId::CreateInstanceSessionToken,
    canonical_error: |status, params| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(super::sessions::path_session_not_found(params)),
        422 => Some(ApiError::param(ParamProblem::invalid_type(
            "authorized_party",
            "a string",
        ))),
        _ => None,
    },
};

pub const REDEEM_INSTANCE_SIGN_IN_TOKEN: Operation = Operation {
    id: OperationId::RedeemInstanceSignInToken,
    canonical_error: |status, _| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        403 => Some(ApiError::UserBanned),
        404 => Some(ApiError::NotFound {
            resource: "Sign in token",
            id: "with this secret".to_owned(),
        }),
        409 => Some(ApiError::instance_full(1024)),
        422 => Some(ApiError::SignInTokenNotRedeemable(
            "it is accepted".to_owned(),
        )),
        _ => None,
    },
};

pub const SET_INSTANCE_SESSION_ORGANIZATION: Operation = Operation {
    id: OperationId::SetInstanceSessionOrganization,
    canonical_error: |status, params| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(super::sessions::path_session_not_found(params)),
        422 => Some(ApiError::param(ParamProblem::missing("organization_id"))),
        _ => None,
    },
};

pub const LOAD_INSTANCE_DATA: Operation = Operation {
    id: OperationId::LoadInstanceData,
    canonical_error: |status, _| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        409 => Some(ApiError::instance_full(1024)),
        413 => Some(ApiError::from_status(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        )),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "sessions[0]",
            "(no id): unknown user `user_2NobodyHasThisId00000000000`",
        ))),
        _ => None,
    },
};

pub const EXPORT_INSTANCE_DATA: Operation = Operation {
    id: OperationId::ExportInstanceData,
    canonical_error: unauthorized_only,
};

pub const GET_INSTANCE_FAULTS: Operation = Operation {
    id: OperationId::GetInstanceFaults,
    canonical_error: unauthorized_only,
};

pub const SET_INSTANCE_FAULTS: Operation = Operation {
    id: OperationId::SetInstanceFaults,
    canonical_error: |status, _| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "default.error_rate",
            "must be between 0 and 1",
        ))),
        _ => None,
    },
};

pub const RESTORE_INSTANCE_FAULTS: Operation = Operation {
    id: OperationId::RestoreInstanceFaults,
    canonical_error: unauthorized_only,
};

/// The documented errors of an operation whose only error is a missing or wrong key.
fn unauthorized_only(status: u16, _: PathParams<'_>) -> Option<ApiError> {
    (status == 401).then_some(ApiError::MissingAuthorization)
}

/// The documented errors of the journal's reads.
fn journal_error(status: u16, _: PathParams<'_>) -> Option<ApiError> {
    match status {
        401 => Some(ApiError::MissingAuthorization),
        422 => Some(ApiError::param(ParamProblem::invalid_type(
            "limit",
            "a whole number",
        ))),
        _ => None,
    }
}

/// Where the test-control surface lives.
pub const ADMIN_PREFIX: &str = "/__admin";

pub fn configure(config: &mut ServiceConfig) {
    // Bodies take the API's limit (64 KiB), but data documents, which take 16 MiB.
    config.service(
        utoipa_actix_web::scope(ADMIN_PREFIX)
            .service(
                utoipa_actix_web::scope("/instance/data")
                    .app_data(web::PayloadConfig::new(data::MAX_DATASET_BYTES))
                    .service(data::load_data)
                    .service(data::export_data),
            )
            .service(instances::create_instance)
            .service(instances::delete_instance)
            .service(instances::reset_instance)
            .service(clock::get_clock)
            .service(clock::change_clock)
            .service(journal::get_journal)
            .service(journal::count_journal)
            .service(journal::clear_journal)
            .service(journal::find_journal)
            .service(journal::count_journal_by_pattern)
            .service(journal::wait_journal)
            .service(unauthenticated::get_unauthenticated)
            .service(state::save_state)
            .service(webhooks::create_webhook)
            .service(webhooks::list_webhooks)
            .service(webhooks::get_webhook)
            .service(webhooks::delete_webhook)
            .service(webhooks::list_deliveries)
            .service(webhooks::replay)
            .service(webhooks::send_test)
            .service(sessions::create_session)
            .service(sessions::get_refresh_token)
            .service(sessions::mint_token)
            .service(sign_in_tokens::redeem)
            .service(active_organization::set_active_organization)
            .service(faults::get_faults)
            .service(faults::set_faults)
            .service(faults::restore_faults),
    );
}

/// How a document is loaded.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoadMode {
    /// `true`: the document replaces everything the instance holds, so that it holds exactly
    /// the document (an export loaded this way reproduces the exported instance).
    /// `false` (default): the document adds to it, an entry replacing one with its id.
    pub replace: Option<bool>,
    /// `false`: the webhook endpoints are not told of what the load creates. `true` (default):
    /// `organization.created`, `user.created` and `session.created` for each entry whose id is
    /// new.
    pub webhooks: Option<bool>,
}

impl LoadMode {
    /// The mode a query string asks for; a flag that is neither `true` nor `false` is a 422.
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let mut mode = Self {
            replace: None,
            webhooks: None,
        };
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let flag = match &*name {
                "replace" => &mut mode.replace,
                "webhooks" => &mut mode.webhooks,
                _ => continue,
            };
            *flag = Some(match &*value {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(ApiError::param(ParamProblem::invalid_type(
                        &name,
                        "true or false",
                    )));
                }
            });
        }
        Ok(mode)
    }
}

/// The instance a request's secret key names, and the key itself (never shown or logged).
pub struct InstanceOwner {
    instance: Arc<Instance>,
    key: String,
}

impl FromRequest for InstanceOwner {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let state = request
                .app_data::<web::Data<AppState>>()
                .ok_or(ApiError::Internal)?;
            let instance = instance_for(state, &request).await?;
            let key = bearer_key(&request)?.to_owned();
            Ok(Self { instance, key })
        })
    }
}

impl From<RegistryError> for ApiError {
    fn from(error: RegistryError) -> Self {
        match error {
            RegistryError::LimitReached(max) => Self::InstanceLimitReached(max),
            RegistryError::MemoryBudget(mib) => Self::InstanceMemoryExhausted(mib),
            RegistryError::NotDeletable => Self::InstanceNotDeletable,
            RegistryError::Key(reason) => {
                tracing::error!(%reason, "creating an instance failed");
                Self::Internal
            }
        }
    }
}
