//! An event's body, as Clerk sends it: `{"data", "object": "event", "type", "timestamp",
//! "instance_id", "event_attributes"}`, with `data` written by the API's own wire types under
//! the server's default API version.

use serde::Serialize;

use super::event::{Change, Subject};
use crate::domain::{ApiVersion, InstanceId};
use crate::http::wire::organizations::{
    OrganizationBody, OrganizationExtras, OrganizationMembershipBody,
};
use crate::http::wire::{DeletedObjectBody, SessionBody, UserBody};

/// The body of one event.
#[derive(Debug, Serialize)]
struct EventBody<'a> {
    data: EventData,
    object: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    /// When it happened, in Unix milliseconds on the instance's clock.
    timestamp: i64,
    instance_id: &'a str,
    event_attributes: EventAttributes,
}

/// The object of an event, as the API serves it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum EventData {
    User(Box<UserBody>),
    Session(Box<SessionEvent>),
    Organization(Box<OrganizationBody>),
    Membership(Box<OrganizationMembershipBody>),
    Deleted(DeletedObjectBody),
}

/// A session event's `data`: the Session, and its user (Clerk's `SessionWebhookEventJSON`).
#[derive(Debug, Serialize)]
struct SessionEvent {
    #[serde(flatten)]
    session: SessionBody,
    user: Option<UserBody>,
}

/// The browser request behind a change. Clerk fills it from the sign-up or sign-in that made
/// the change; every change in the mock comes from a backend or a test, so both are empty.
#[derive(Debug, Serialize)]
struct EventAttributes {
    http_request: HttpRequest,
}

#[derive(Debug, Serialize)]
struct HttpRequest {
    client_ip: &'static str,
    user_agent: &'static str,
}

/// The JSON body of `change`, which happened at `at_ms` on instance `instance`'s clock.
pub fn render(change: &Change, at_ms: i64, instance: InstanceId, version: ApiVersion) -> Vec<u8> {
    let data = match &change.subject {
        Subject::User(user, activity) => {
            EventData::User(Box::new(UserBody::new(user, *activity, at_ms)))
        }
        Subject::DeletedUser { id, external_id } => {
            EventData::Deleted(DeletedObjectBody::user(id.to_string(), external_id.clone()))
        }
        Subject::Session(session, user) => EventData::Session(Box::new(SessionEvent {
            session: SessionBody::new(session, version, at_ms),
            user: user
                .as_ref()
                .map(|(user, activity)| UserBody::new(user, *activity, at_ms)),
        })),
        Subject::Organization(organization) => EventData::Organization(Box::new(
            OrganizationBody::new(organization, OrganizationExtras::default()),
        )),
        Subject::DeletedOrganization { id, slug } => EventData::Deleted(
            DeletedObjectBody::organization(id.to_string(), slug.clone()),
        ),
        Subject::Membership {
            membership,
            organization,
            user,
        } => EventData::Membership(Box::new(OrganizationMembershipBody::new(
            membership,
            organization,
            user,
        ))),
    };
    let instance_id = instance.to_string();
    let body = EventBody {
        data,
        object: "event",
        kind: change.event.as_str(),
        timestamp: at_ms,
        instance_id: &instance_id,
        event_attributes: EventAttributes {
            http_request: HttpRequest {
                client_ip: "",
                user_agent: "",
            },
        },
    };
    // The wire types are plain data: they always serialise.
    serde_json::to_vec(&body).unwrap_or_default()
}
