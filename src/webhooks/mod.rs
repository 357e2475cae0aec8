//! Webhooks: an instance tells the endpoints registered with it what changed, signed as Svix
//! signs, delivered off the request path with retries on Svix's schedule.
//!
//! [`event`] names the event types and holds each change's snapshot, [`payload`] writes its body,
//! [`signature`] signs it, [`endpoint`] keeps each endpoint's queue and log, and [`delivery`]
//! posts the attempts.

pub mod delivery;
pub mod endpoint;
pub mod event;
pub mod payload;
pub mod signature;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use crate::domain::{ApiVersion, Clock, InstanceId};
use endpoint::{Endpoint, EndpointView, Message};
use event::{Change, EventType};
use signature::SigningSecret;

/// Endpoints an instance may have at once.
pub const MAX_ENDPOINTS: usize = 16;
/// Attempts an endpoint keeps waiting; past it the oldest is dropped and counted.
pub const MAX_QUEUED: usize = 1000;
/// Attempts each endpoint's delivery log keeps; the oldest go.
pub const MAX_DELIVERY_LOG: usize = 1000;
/// Messages each endpoint keeps for replays; the oldest go.
pub const MAX_KEPT_MESSAGES: usize = 1000;
/// The largest body sent; a larger event is dropped and counted (no object the API holds
/// comes near it).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// The bodies an instance's webhooks hold at once, queued or kept for replays; past it a new
/// event is dropped and counted, so that the webhooks' memory stays bounded whatever the
/// endpoints do.
pub const MAX_HELD_BYTES: usize = 32 * 1024 * 1024;
/// How long an attempt waits for the endpoint's answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest endpoint URL taken.
pub const MAX_URL_CHARS: usize = 2048;

/// Svix's delays between attempts, in milliseconds: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
const SVIX_DELAYS_MS: [i64; 7] = [
    5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];
/// Svix disables an endpoint whose attempts have all failed for five days.
const SVIX_DISABLE_AFTER_MS: i64 = 5 * 24 * 3_600_000;

/// Svix's schedule, divided by `compression` so that a test can wait for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    pub compression: u32,
}

impl RetrySchedule {
    /// The delay before the attempt after attempt `number` (1-based); `None` after the last.
    pub fn delay_after(self, number: u32) -> Option<i64> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        SVIX_DELAYS_MS
            .get(index)
            .map(|delay| delay / i64::from(self.compression.max(1)))
    }

    /// How long an endpoint may fail without a success before it is disabled.
    pub fn disable_after_ms(self) -> i64 {
        SVIX_DISABLE_AFTER_MS / i64::from(self.compression.max(1))
    }
}

/// What every instance's webhooks share: the schedule, the API version payloads are written in,
/// and the endpoint every instance starts with (`--webhook-url`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub schedule: RetrySchedule,
    pub version: ApiVersion,
    pub startup_endpoint: Option<(reqwest::Url, SigningSecret)>,
    /// What an instance's webhooks may hold in bodies ([`MAX_HELD_BYTES`]).
    pub held_limit: usize,
}

/// How many times faster than Svix's the schedule runs unless `--webhook-retry-compression`
/// says otherwise: 5 min become 1 s.
pub const DEFAULT_COMPRESSION: u32 = 300;

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            schedule: RetrySchedule {
                compression: DEFAULT_COMPRESSION,
            },
            version: ApiVersion::V2021_02_05,
            startup_endpoint: None,
            held_limit: MAX_HELD_BYTES,
        }
    }
}

/// Why an endpoint was not registered, or an event not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("{param}: {reason}")]
    Invalid { param: &'static str, reason: String },
    #[error("an instance has at most {MAX_ENDPOINTS} webhook endpoints")]
    TooMany,
    #[error("no webhook endpoint {0}")]
    UnknownEndpoint(String),
    #[error("no event {0} among the endpoint's recent messages")]
    UnknownEvent(String),
}

/// An endpoint as asked for: its URL, the types it wants (all when absent), its secret (a new
/// one when absent).
#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Option<Vec<String>>,
    pub secret: Option<String>,
}

/// An endpoint's URL, event types and secret, once checked.
type CheckedEndpoint = (reqwest::Url, Option<BTreeSet<EventType>>, SigningSecret);

impl NewEndpoint {
    /// The endpoint's URL, types and secret (a new one when none is given), or the first
    /// problem, naming its field.
    fn checked(self) -> Result<CheckedEndpoint, WebhookError> {
        let invalid = |param, reason| WebhookError::Invalid { param, reason };
        let url = endpoint_url(&self.url).map_err(|reason| invalid("url", reason))?;
        let events = self
            .events
            .map(|names| {
                names
                    .iter()
                    .map(|name| {
                        EventType::parse(name).ok_or_else(|| {
                            invalid(
                                "events",
                                format!(
                                    "{} is not an event type the mock sends; it sends {}",
                                    crate::error::quoted(name),
                                    EventType::ALL
                                        .iter()
                                        .map(|kind| kind.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                        })
                    })
                    .collect::<Result<BTreeSet<_>, _>>()
            })
            .transpose()?;
        let secret = match self.secret {
            Some(text) => {
                SigningSecret::parse(&text).map_err(|reason| invalid("secret", reason))?
            }
            None => SigningSecret::generate(),
        };
        Ok((url, events, secret))
    }
}

/// An endpoint as a state file keeps it, to be registered again after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptEndpoint {
    pub id: String,
    pub url: String,
    pub events: Option<Vec<String>>,
    /// The signing secret, `whsec_...`, which the state file seals.
    pub secret: String,
    pub created_at: i64,
}

/// The URL `text`, if it is one an endpoint can have: http or https, with a host.
pub fn endpoint_url(text: &str) -> Result<reqwest::Url, String> {
    if text.chars().count() > MAX_URL_CHARS {
        return Err(format!("at most {MAX_URL_CHARS} characters"));
    }
    let url = reqwest::Url::parse(text).map_err(|error| format!("not a URL ({error})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme must be http or https, not {}",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL needs a host".to_owned());
    }
    Ok(url)
}

/// An instance's webhooks: its endpoints, and what it sends them.
#[derive(Debug)]
pub struct Webhooks {
    instance: InstanceId,
    clock: Arc<Clock>,
    settings: Arc<WebhookSettings>,
    /// Whether any endpoint exists: a change is snapshotted and written only then.
    listening: AtomicBool,
    endpoints: Mutex<Vec<Arc<Endpoint>>>,
    /// The bytes of the bodies held now, queued or kept for replays.
    held: Arc<AtomicUsize>,
}

impl Webhooks {
    /// The webhooks of instance `instance`, with the server's startup endpoint if it has one.
    pub fn new(instance: InstanceId, clock: Arc<Clock>, settings: Arc<WebhookSettings>) -> Self {
        let webhooks = Self {
            instance,
            clock,
            listening: AtomicBool::new(false),
            endpoints: Mutex::new(Vec::new()),
            settings: Arc::clone(&settings),
            held: Arc::default(),
        };
        if let Some((url, secret)) = &settings.startup_endpoint {
            let created_at = webhooks.clock.now_ms();
            let endpoint =
                Endpoint::new(new_id("ep"), url.clone(), None, secret.clone(), created_at);
            webhooks.register(endpoint.configured_at_start());
        }
        webhooks
    }

    /// Whether a change would be sent anywhere; callers snapshot a change only then.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    /// Sends `changes`, which happened now, to every endpoint that wants them, in order: each is
    /// written once and queued; delivery happens on the delivery thread.
    pub fn send(&self, changes: Vec<Change>) {
        if changes.is_empty() || !self.is_listening() {
            return;
        }
        let now_ms = self.clock.now_ms();
        let endpoints = self.endpoints.lock().clone();
        for change in changes {
            let wanting: Vec<&Arc<Endpoint>> = endpoints
                .iter()
                .filter(|endpoint| endpoint.wants(change.event))
                .collect();
            if wanting.is_empty() {
                continue;
            }
            let (_, message) = self.message(&change, now_ms);
            for endpoint in wanting {
                queue(endpoint, &message, now_ms);
            }
        }
    }

    /// `change` written once, under a new id; or why it is dropped: its body is too large, or
    /// the webhooks hold all the bodies they may.
    fn message(&self, change: &Change, now_ms: i64) -> (String, Result<Arc<Message>, String>) {
        let id = new_id("msg");
        let body = payload::render(change, now_ms, self.instance, self.settings.version);
        let held = self.held.load(Ordering::Acquire);
        let message = if body.len() > MAX_PAYLOAD_BYTES {
            Err(format!("{id} is larger than {MAX_PAYLOAD_BYTES} bytes"))
        } else if held.saturating_add(body.len()) > self.settings.held_limit {
            Err(format!(
                "the instance's webhooks hold {held} bytes of bodies, their bound"
            ))
        } else {
            Ok(Arc::new(Message::new(
                id.clone(),
                change.event,
                body,
                &self.held,
            )))
        };
        (id, message)
    }

    /// Registers an endpoint, checking its URL, event types and secret.
    pub fn add(&self, wanted: NewEndpoint) -> Result<EndpointView, WebhookError> {
        let (url, events, secret) = wanted.checked()?;
        if self.endpoints.lock().len() >= MAX_ENDPOINTS {
            return Err(WebhookError::TooMany);
        }
        let endpoint = Endpoint::new(new_id("ep"), url, events, secret, self.clock.now_ms());
        Ok(self.register(endpoint))
    }

    /// Starts `endpoint`'s delivery task and adds it.
    fn register(&self, endpoint: Endpoint) -> EndpointView {
        let endpoint = Arc::new(endpoint);
        delivery::start(
            Arc::clone(&endpoint),
            Arc::clone(&self.clock),
            self.settings.schedule,
        );
        let view = endpoint.view();
        let mut endpoints = self.endpoints.lock();
        endpoints.push(endpoint);
        self.listening.store(true, Ordering::Release);
        view
    }

    /// The endpoints registered through the admin API, as a state file keeps them (the one of
    /// `--webhook-url` comes back from the settings).
    pub fn kept(&self) -> Vec<KeptEndpoint> {
        self.endpoints
            .lock()
            .iter()
            .filter(|endpoint| !endpoint.is_from_settings())
            .map(|endpoint| {
                let view = endpoint.view();
                KeptEndpoint {
                    id: view.id,
                    url: view.url,
                    events: view
                        .events
                        .map(|events| events.into_iter().map(str::to_owned).collect()),
                    secret: view.secret,
                    created_at: view.created_at,
                }
            })
            .collect()
    }

    /// Registers again the endpoints a state file kept, with their ids and secrets.
    pub fn restore(&self, kept: &[KeptEndpoint]) -> Result<(), WebhookError> {
        for endpoint in kept {
            let (url, events, secret) = NewEndpoint {
                url: endpoint.url.clone(),
                events: endpoint.events.clone(),
                secret: Some(endpoint.secret.clone()),
            }
            .checked()?;
            self.register(Endpoint::new(
                endpoint.id.clone(),
                url,
                events,
                secret,
                endpoint.created_at,
            ));
        }
        Ok(())
    }

    /// Every endpoint, oldest first.
    pub fn list(&self) -> Vec<EndpointView> {
        self.endpoints
            .lock()
            .iter()
            .map(|endpoint| endpoint.view())
            .collect()
    }

    pub fn endpoint(&self, id: &str) -> Result<Arc<Endpoint>, WebhookError> {
        self.endpoints
            .lock()
            .iter()
            .find(|endpoint| endpoint.id == id)
            .map(Arc::clone)
            .ok_or_else(|| WebhookError::UnknownEndpoint(crate::error::quoted(id)))
    }

    /// Removes an endpoint: what it had waiting is not sent.
    pub fn remove(&self, id: &str) -> Result<EndpointView, WebhookError> {
        let mut endpoints = self.endpoints.lock();
        let position = endpoints
            .iter()
            .position(|endpoint| endpoint.id == id)
            .ok_or_else(|| WebhookError::UnknownEndpoint(crate::error::quoted(id)))?;
        let endpoint = endpoints.remove(position);
        self.listening
            .store(!endpoints.is_empty(), Ordering::Release);
        endpoint.close();
        Ok(endpoint.view())
    }

    /// Sends a recent message to `endpoint_id` again, with the same id, from a first attempt.
    pub fn replay(
        &self,
        endpoint_id: &str,
        event_id: &str,
    ) -> Result<(String, EventType), WebhookError> {
        let endpoint = self.endpoint(endpoint_id)?;
        let message = endpoint
            .recent_message(event_id)
            .ok_or_else(|| WebhookError::UnknownEvent(crate::error::quoted(event_id)))?;
        let answer = (message.id.clone(), message.event);
        endpoint.enqueue(message, self.clock.now_ms());
        Ok(answer)
    }

    /// Sends `change` to `endpoint_id` alone, whatever types it wants: a test event.
    pub fn send_test(&self, endpoint_id: &str, change: &Change) -> Result<String, WebhookError> {
        let endpoint = self.endpoint(endpoint_id)?;
        let now_ms = self.clock.now_ms();
        let (id, message) = self.message(change, now_ms);
        queue(&endpoint, &message, now_ms);
        Ok(id)
    }
}

/// Queues `message` for `endpoint`, or counts it dropped there.
fn queue(endpoint: &Endpoint, message: &Result<Arc<Message>, String>, now_ms: i64) {
    match message {
        Ok(message) => endpoint.enqueue(Arc::clone(message), now_ms),
        Err(why) => endpoint.count_dropped(why),
    }
}

/// An instance that goes stops its endpoints' tasks.
impl Drop for Webhooks {
    fn drop(&mut self) {
        for endpoint in self.endpoints.get_mut().iter() {
            endpoint.close();
        }
    }
}

/// `prefix`, `_` and 27 random letters and digits, as Svix writes its ids.
fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        clerk_mock_document::ids::random_base62(&mut rand::rng(), 27)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_svixs_divided_by_the_compression() {
        let real = RetrySchedule { compression: 1 };
        assert_eq!(real.delay_after(1), Some(5_000));
        assert_eq!(real.delay_after(2), Some(300_000));
        assert_eq!(real.delay_after(7), Some(36_000_000));
        assert_eq!(real.delay_after(8), None);
        assert_eq!(real.disable_after_ms(), 432_000_000);
        let compressed = RetrySchedule { compression: 300 };
        assert_eq!(compressed.delay_after(2), Some(1_000));
        assert_eq!(compressed.disable_after_ms(), 1_440_000);
    }

    #[test]
    fn the_bodies_held_stay_within_their_bound_and_the_rest_is_dropped_and_counted() {
        let settings = WebhookSettings {
            held_limit: 8 * 1024,
            ..WebhookSettings::default()
        };
        let webhooks = Webhooks::new(
            InstanceId::from_digest(&[3; 32]),
            Arc::new(Clock::system()),
            Arc::new(settings),
        );
        // Nothing listens on port 9: every attempt fails, so every message stays held.
        let endpoint = webhooks
            .add(NewEndpoint {
                url: "http://127.0.0.1:9/".to_owned(),
                ..NewEndpoint::default()
            })
            .expect("a valid endpoint");
        let mut rng = rand::rng();
        for _ in 0..50 {
            let user = crate::domain::User::new(
                crate::domain::UserId::random(&mut rng),
                Arc::from("https://img.clerk.com/mock.png"),
                0,
            );
            webhooks.send(vec![Change::user(
                EventType::UserCreated,
                &user,
                crate::domain::user::UserActivity::default(),
            )]);
        }
        let held = webhooks.held.load(Ordering::Acquire);
        assert!(held <= 8 * 1024, "{held} bytes held");
        let dropped = webhooks
            .endpoint(&endpoint.id)
            .expect("registered")
            .view()
            .dropped;
        assert!(dropped > 0 && dropped < 50, "{dropped} dropped");
        webhooks.remove(&endpoint.id).expect("removed");
    }

    #[test]
    fn endpoint_urls_are_http_or_https_with_a_host() {
        assert!(endpoint_url("http://127.0.0.1:3000/api/webhooks").is_ok());
        assert!(endpoint_url("https://example.com/hooks").is_ok());
        for (bad, reason) in [
            ("ftp://example.com/", "http or https"),
            ("not a url", "not a URL"),
            ("file:///etc/passwd", "http or https"),
        ] {
            let problem = endpoint_url(bad).expect_err(bad);
            assert!(problem.contains(reason), "{bad}: {problem}");
        }
    }
}
