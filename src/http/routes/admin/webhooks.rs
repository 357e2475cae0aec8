//! An instance's webhook endpoints: register, list, read and remove them, read each one's
//! delivery log, replay an event and send a test event.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::error::ApiError;
use crate::http::extract::body::BodyFields;
use crate::http::routes::{answers, json_ok};
use crate::webhooks::endpoint::{DeliveryRecord, EndpointView};
use crate::webhooks::event::EventType;
use crate::webhooks::{NewEndpoint, WebhookError};

/// What registers an endpoint.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "documents the body, which is read field by field")]
pub struct EndpointRequest {
    /// Where events are posted: `http` or `https`, with a host.
    #[schema(example = "http://127.0.0.1:3000/api/webhooks")]
    url: String,
    /// The event types it receives (every type when absent).
    #[schema(example = json!(["user.created", "session.created", "session.revoked"]))]
    events: Option<Vec<String>>,
    /// Its signing secret, `whsec_` and the base64 of 24 to 64 bytes (a new one when absent).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    secret: Option<String>,
}

/// The endpoints of an instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    pub data: Vec<EndpointView>,
    pub total_count: usize,
}

/// An endpoint's delivery log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub data: Vec<DeliveryRecord>,
    pub total_count: usize,
}

/// An event on its way.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedEvent {
    #[schema(example = "webhook_message")]
    pub object: &'static str,
    /// The event's id, its `svix-id`.
    #[schema(example = "msg_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")]
    pub id: String,
    #[serde(rename = "type")]
    #[schema(example = "user.created")]
    pub kind: &'static str,
}

impl QueuedEvent {
    /// The 202 that says an event is on its way.
    fn accepted(id: String, event: EventType) -> HttpResponse {
        HttpResponse::Accepted().json(Self {
            object: "webhook_message",
            id,
            kind: event.as_str(),
        })
    }
}

impl From<WebhookError> for ApiError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::Invalid { param, reason } => Self::WebhookInvalid {
                param: param.to_owned(),
                reason,
            },
            WebhookError::TooMany => Self::WebhookLimitReached(crate::webhooks::MAX_ENDPOINTS),
            WebhookError::UnknownEndpoint(id) => Self::NotFound {
                resource: "Webhook endpoint",
                id,
            },
            WebhookError::UnknownEvent(id) => Self::NotFound {
                resource: "Webhook event",
                id,
            },
        }
    }
}

/// The body's fields, each checked to be one of `known`; any other is a 400 naming it.
fn fields_of(request: &HttpRequest, body: &[u8], known: &[&str]) -> Result<BodyFields, ApiError> {
    let fields = BodyFields::parse(request, body)?;
    if let Some(unknown) = fields
        .as_map()
        .keys()
        .find(|name| !known.contains(&name.as_str()))
    {
        return Err(invalid(
            unknown,
            format!("is not a field; the fields are {}", known.join(", ")),
        ));
    }
    Ok(fields)
}

fn invalid(param: &str, reason: String) -> ApiError {
    ApiError::WebhookInvalid {
        param: crate::error::quoted(param),
        reason,
    }
}

/// The string field `name`, if given; anything but a string (or `null`) is a 400.
fn text_field(fields: &BodyFields, name: &str) -> Result<Option<String>, ApiError> {
    match fields.value(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(invalid(name, "must be a string".to_owned())),
    }
}

/// Register a webhook endpoint
///
/// Registers an endpoint that the instance tells of its changes, as Clerk's dashboard does:
/// `{"url", "events"?, "secret"?}`. Each event is posted as Clerk posts it (`{"data", "object":
/// "event", "type", "timestamp", "instance_id", "event_attributes"}`), signed as Svix signs
/// (`svix-id`, `svix-timestamp`, `svix-signature`), so that `verifyWebhook` from
/// `@clerk/backend/webhooks` or the `svix` package verifies it with the endpoint's `secret`.
/// `events` keeps the types it names (every type when absent); `secret` is `whsec_` and the
/// base64 of 24 to 64 bytes, a new one when absent, so that a backend's `.env` can hold a fixed
/// one. Deliveries happen off the request path, with retries on Svix's schedule (compressed,
/// and driven by the instance's clock). A bad `url` (http or https, with a host), an unknown
/// event type or a malformed secret is a 400 `webhook_endpoint_invalid` naming it; past 16
/// endpoints, a 409. The mock posts to whatever address it is given: point it only at services
/// under test.
#[utoipa::path(
    operation_id = super::CREATE_INSTANCE_WEBHOOK.id.as_str(),
    tag = "Admin",
    request_body(content = EndpointRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The endpoint, with its secret", body = EndpointView),
        (status = 400, description = "The body is malformed, or the URL, an event type or the secret is not valid", body = crate::error::ClerkErrors),
        answers::Unauthorized,
        (status = 409, description = "The instance has its 16 endpoints", body = crate::error::ClerkErrors),
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/webhooks")]
pub async fn create_webhook(
    owner: InstanceOwner,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = fields_of(&request, &body, &["url", "events", "secret"])?;
    let url =
        text_field(&fields, "url")?.ok_or_else(|| invalid("url", "is required".to_owned()))?;
    let events = match fields.value("events") {
        None | Some(Value::Null) => None,
        Some(Value::Array(names)) => Some(
            names
                .iter()
                .map(|name| {
                    name.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| invalid("events", "must be an array of strings".to_owned()))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(invalid("events", "must be an array of strings".to_owned())),
    };
    let secret = text_field(&fields, "secret")?;
    let endpoint = owner.instance.webhooks().add(NewEndpoint {
        url,
        events,
        secret,
    })?;
    Ok(HttpResponse::Created().json(endpoint))
}

/// List the webhook endpoints
///
/// The instance's endpoints, oldest first, each with its secret, whether it is disabled, how
/// many attempts wait and how many messages were dropped.
#[utoipa::path(
    operation_id = super::LIST_INSTANCE_WEBHOOKS.id.as_str(),
    tag = "Admin",
    responses((status = 200, description = "The endpoints", body = EndpointList), answers::Unauthorized),
    security(("bearerAuth" = []))
)]
#[get("/instance/webhooks")]
pub async fn list_webhooks(owner: InstanceOwner) -> HttpResponse {
    let data = owner.instance.webhooks().list();
    json_ok(&EndpointList {
        total_count: data.len(),
        data,
    })
}

/// Read a webhook endpoint
#[utoipa::path(
    operation_id = super::GET_INSTANCE_WEBHOOK.id.as_str(),
    tag = "Admin",
    params(("endpoint_id" = String, Path, description = "The endpoint's id", example = "ep_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")),
    responses(
        (status = 200, description = "The endpoint", body = EndpointView),
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[get("/instance/webhooks/{endpoint_id}")]
pub async fn get_webhook(
    owner: InstanceOwner,
    endpoint_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let endpoint = owner.instance.webhooks().endpoint(&endpoint_id)?;
    Ok(json_ok(&endpoint.view()))
}

/// Remove a webhook endpoint
///
/// What it had waiting is not sent.
#[utoipa::path(
    operation_id = super::DELETE_INSTANCE_WEBHOOK.id.as_str(),
    tag = "Admin",
    params(("endpoint_id" = String, Path, description = "The endpoint's id", example = "ep_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")),
    responses(
        (status = 200, description = "The endpoint, removed", body = EndpointView),
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[delete("/instance/webhooks/{endpoint_id}")]
pub async fn delete_webhook(
    owner: InstanceOwner,
    endpoint_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(json_ok(&owner.instance.webhooks().remove(&endpoint_id)?))
}

/// Read an endpoint's delivery log
///
/// Every attempt (up to the last 1000), newest first: the event's id and type, the attempt's
/// number, the endpoint's status or the connection's error, how long it took, and when the next
/// attempt is due on the instance's clock.
#[utoipa::path(
    operation_id = super::LIST_INSTANCE_WEBHOOK_DELIVERIES.id.as_str(),
    tag = "Admin",
    params(("endpoint_id" = String, Path, description = "The endpoint's id", example = "ep_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")),
    responses(
        (status = 200, description = "The attempts, newest first", body = DeliveryList),
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[get("/instance/webhooks/{endpoint_id}/deliveries")]
pub async fn list_deliveries(
    owner: InstanceOwner,
    endpoint_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let data = owner
        .instance
        .webhooks()
        .endpoint(&endpoint_id)?
        .deliveries();
    Ok(json_ok(&DeliveryList {
        total_count: data.len(),
        data,
    }))
}

/// Replay an event
///
/// `{"event_id"}`: sends one of the endpoint's last 1000 events again, with the same `svix-id`
/// (a receiver that de-duplicates sees it once), from a first attempt. 404 for an event the
/// endpoint does not hold.
#[utoipa::path(
    operation_id = super::REPLAY_INSTANCE_WEBHOOK_EVENT.id.as_str(),
    tag = "Admin",
    params(("endpoint_id" = String, Path, description = "The endpoint's id", example = "ep_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")),
    request_body(content = Object, content_type = "application/json", example = json!({"event_id": "msg_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f"})),
    responses(
        (status = 202, description = "The event is queued", body = QueuedEvent),
        (status = 400, description = "The body is malformed or has no `event_id`", body = crate::error::ClerkErrors),
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/webhooks/{endpoint_id}/replay")]
pub async fn replay(
    owner: InstanceOwner,
    endpoint_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = fields_of(&request, &body, &["event_id"])?;
    let event_id = text_field(&fields, "event_id")?
        .ok_or_else(|| invalid("event_id", "is required".to_owned()))?;
    let (id, event) = owner.instance.webhooks().replay(&endpoint_id, &event_id)?;
    Ok(QueuedEvent::accepted(id, event))
}

/// Send a test event
///
/// `{"type"}`: sends the endpoint an event of that type (whatever types it receives) about an
/// object the instance holds: the user, session, organization or membership with the smallest
/// id. 400 for an unknown type, or one the instance holds no object for.
#[utoipa::path(
    operation_id = super::SEND_INSTANCE_WEBHOOK_TEST_EVENT.id.as_str(),
    tag = "Admin",
    params(("endpoint_id" = String, Path, description = "The endpoint's id", example = "ep_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")),
    request_body(content = Object, content_type = "application/json", example = json!({"type": "user.created"})),
    responses(
        (status = 202, description = "The event is queued", body = QueuedEvent),
        (status = 400, description = "The body is malformed, or the type unknown or without an object", body = crate::error::ClerkErrors),
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/webhooks/{endpoint_id}/test")]
pub async fn send_test(
    owner: InstanceOwner,
    endpoint_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = fields_of(&request, &body, &["type"])?;
    let name =
        text_field(&fields, "type")?.ok_or_else(|| invalid("type", "is required".to_owned()))?;
    let event = EventType::parse(&name).ok_or_else(|| {
        invalid(
            "type",
            format!(
                "{} is not an event type the mock sends",
                crate::error::quoted(&name)
            ),
        )
    })?;
    let webhooks = owner.instance.webhooks();
    // The endpoint first, so that an unknown one is a 404 whatever the type.
    webhooks.endpoint(&endpoint_id)?;
    let change = owner.instance.sample_change(event).ok_or_else(|| {
        invalid(
            "type",
            format!("the instance holds nothing for a {} event", event.as_str()),
        )
    })?;
    let id = webhooks.send_test(&endpoint_id, &change)?;
    Ok(QueuedEvent::accepted(id, event))
}
