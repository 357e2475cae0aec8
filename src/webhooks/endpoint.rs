//! One webhook endpoint: where it is, what it wants, its secret, and what it holds: the
//! attempts waiting (each due at a time on the instance's clock), the recent messages a replay
//! takes, and the delivery log.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use parking_lot::Mutex;
use serde::Serialize;
use utoipa::ToSchema;

use super::event::EventType;
use super::signature::SigningSecret;
use super::{MAX_DELIVERY_LOG, MAX_KEPT_MESSAGES, MAX_QUEUED};

/// One event on its way to the endpoints that want it: its id (`svix-id`, kept by every
/// attempt and replay, so that receivers can de-duplicate), its type and its body.
#[derive(Debug)]
pub struct Message {
    pub id: String,
    pub event: EventType,
    pub body: Vec<u8>,
    /// What the instance's webhooks hold in bodies, which this body counts in while it lives.
    held: Arc<AtomicUsize>,
}

impl Message {
    /// A message whose body counts in `held` until the last endpoint lets it go.
    pub fn new(id: String, event: EventType, body: Vec<u8>, held: &Arc<AtomicUsize>) -> Self {
        held.fetch_add(body.len(), Ordering::AcqRel);
        Self {
            id,
            event,
            body,
            held: Arc::clone(held),
        }
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        self.held.fetch_sub(self.body.len(), Ordering::AcqRel);
    }
}

/// An attempt waiting for its time.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub message: Arc<Message>,
    /// 1 for the first attempt.
    pub number: u32,
}

/// One attempt as the delivery log shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryRecord {
    #[schema(example = "webhook_delivery")]
    pub object: &'static str,
    /// The event's id, its `svix-id`.
    #[schema(example = "msg_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")]
    pub event_id: String,
    #[schema(example = "user.created")]
    pub event_type: &'static str,
    /// 1 for the first attempt, 2 for the first retry, ...
    #[schema(example = 1)]
    pub attempt: u32,
    /// The endpoint's answer; absent when none came (see `error`).
    #[schema(example = 200)]
    pub status: Option<u16>,
    /// Why no answer came: the connection failed, or the delivery timed out.
    #[schema(example = json!(null))]
    pub error: Option<String>,
    pub succeeded: bool,
    #[schema(example = 4)]
    pub duration_ms: u64,
    /// When the attempt was made, in Unix milliseconds (wall clock).
    pub attempted_at: i64,
    /// When the next attempt is due, in Unix milliseconds on the instance's clock; absent after
    /// a success, the last attempt, or a disabling.
    pub next_attempt_at: Option<i64>,
}

/// What changes as deliveries go.
#[derive(Debug, Default)]
pub struct EndpointState {
    /// The attempts waiting, by when they are due (instance clock) and in order of arrival.
    pub queue: BTreeMap<(i64, u64), Attempt>,
    pub next_sequence: u64,
    /// The last messages sent here, newest last, for replays.
    pub messages: VecDeque<Arc<Message>>,
    /// The attempts made, newest last.
    pub log: VecDeque<DeliveryRecord>,
    /// Messages dropped because the queue was full or the body too large.
    pub dropped: u64,
    /// When the current run of failures began (instance clock); none after a success.
    pub failing_since: Option<i64>,
    pub disabled: bool,
}

/// An endpoint and its state.
#[derive(Debug)]
pub struct Endpoint {
    pub id: String,
    pub url: reqwest::Url,
    /// The types it receives; every type when `None`.
    pub events: Option<BTreeSet<EventType>>,
    pub secret: SigningSecret,
    pub created_at: i64,
    pub state: Mutex<EndpointState>,
    /// Wakes the endpoint's delivery task: a new attempt, or the endpoint is gone.
    pub wake: tokio::sync::Notify,
    /// Set when the endpoint is deleted, or its instance is: its task ends.
    pub closed: AtomicBool,
    /// The endpoint of `--webhook-url`, which every instance gets from the settings.
    from_settings: bool,
}

/// An endpoint as the admin API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndpointView {
    #[schema(example = "webhook_endpoint")]
    pub object: &'static str,
    #[schema(example = "ep_2Xc9WmK1vQ7bN3pR5sT8yZ0aD4f")]
    pub id: String,
    #[schema(example = "http://127.0.0.1:3000/api/webhooks")]
    pub url: String,
    /// The event types it receives; `null` for every type.
    #[schema(example = json!(["user.created", "session.revoked"]))]
    pub events: Option<Vec<&'static str>>,
    /// What the receiver verifies with (`CLERK_WEBHOOK_SIGNING_SECRET`).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
    /// Disabled after failing without a success for long enough; it receives nothing more.
    pub disabled: bool,
    /// Attempts waiting.
    pub queued: usize,
    /// Messages dropped: the queue was full (the oldest go) or the body too large.
    pub dropped: u64,
    pub created_at: i64,
}

impl Endpoint {
    pub fn new(
        id: String,
        url: reqwest::Url,
        events: Option<BTreeSet<EventType>>,
        secret: SigningSecret,
        created_at: i64,
    ) -> Self {
        Self {
            id,
            url,
            events,
            secret,
            created_at,
            state: Mutex::new(EndpointState::default()),
            wake: tokio::sync::Notify::new(),
            closed: AtomicBool::new(false),
            from_settings: false,
        }
    }

    /// Marks the endpoint as the one of `--webhook-url`.
    pub fn configured_at_start(self) -> Self {
        Self {
            from_settings: true,
            ..self
        }
    }

    pub fn is_from_settings(&self) -> bool {
        self.from_settings
    }

    pub fn wants(&self, event: EventType) -> bool {
        self.events
            .as_ref()
            .is_none_or(|events| events.contains(&event))
    }

    pub fn view(&self) -> EndpointView {
        let state = self.state.lock();
        EndpointView {
            object: "webhook_endpoint",
            id: self.id.clone(),
            url: self.url.to_string(),
            events: self
                .events
                .as_ref()
                .map(|events| events.iter().map(|event| event.as_str()).collect()),
            secret: self.secret.as_str().to_owned(),
            disabled: state.disabled,
            queued: state.queue.len(),
            dropped: state.dropped,
            created_at: self.created_at,
        }
    }

    /// Queues the first attempt of `message`, due at `now_ms`; the oldest waiting attempt goes
    /// when the queue is full. A disabled endpoint takes nothing.
    pub fn enqueue(&self, message: Arc<Message>, now_ms: i64) {
        {
            let mut state = self.state.lock();
            if state.disabled {
                return;
            }
            if state.queue.len() >= MAX_QUEUED {
                state.queue.pop_first();
                state.dropped += 1;
                warn_dropped(&self.id, state.dropped, "its queue is full");
            }
            state.messages.push_back(Arc::clone(&message));
            if state.messages.len() > MAX_KEPT_MESSAGES {
                state.messages.pop_front();
            }
            schedule(&mut state, now_ms, Attempt { message, number: 1 });
        }
        self.wake.notify_one();
    }

    /// Counts a message that was not queued, and why.
    pub fn count_dropped(&self, why: &str) {
        let mut state = self.state.lock();
        state.dropped += 1;
        warn_dropped(&self.id, state.dropped, why);
    }

    /// A message sent here recently, by its id.
    pub fn recent_message(&self, id: &str) -> Option<Arc<Message>> {
        self.state
            .lock()
            .messages
            .iter()
            .rev()
            .find(|message| message.id == id)
            .map(Arc::clone)
    }

    /// The delivery log, newest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.state.lock().log.iter().rev().cloned().collect()
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// Puts `attempt` in the queue, due at `due_ms`.
pub fn schedule(state: &mut EndpointState, due_ms: i64, attempt: Attempt) {
    let sequence = state.next_sequence;
    state.next_sequence += 1;
    state.queue.insert((due_ms, sequence), attempt);
}

/// Adds an attempt to the log, the oldest going past its bound.
pub fn log(state: &mut EndpointState, record: DeliveryRecord) {
    state.log.push_back(record);
    if state.log.len() > MAX_DELIVERY_LOG {
        state.log.pop_front();
    }
}

/// A warning for the first dropped message, the tenth, the hundredth and so on: a flood that
/// fills a queue writes a handful of lines, not one per message.
fn warn_dropped(endpoint: &str, dropped: u64, why: &str) {
    if dropped
        .checked_ilog10()
        .is_some_and(|digits| 10_u64.pow(digits) == dropped)
    {
        tracing::warn!(endpoint, dropped, "a webhook message was dropped: {why}");
    }
}
