//! Delivery, off the request path: one thread for the whole server runs a runtime where each
//! endpoint has a task of its own, which takes its due attempts one at a time, posts them signed,
//! logs each, and schedules retries on Svix's schedule, on the instance's clock.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::endpoint::{self, Attempt, DeliveryRecord, Endpoint};
use super::{DELIVERY_TIMEOUT, RetrySchedule};
use crate::domain::Clock;
use crate::domain::clock::wall_clock_ms;

/// How often a task with attempts waiting looks at the instance's clock, which a test may move.
const CLOCK_POLL: Duration = Duration::from_millis(50);

/// The delivery runtime and its HTTP client, started on first use.
struct Runtime {
    handle: tokio::runtime::Handle,
    client: reqwest::Client,
}

/// The runtime, or why it could not start.
fn runtime() -> Result<&'static Runtime, &'static str> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            let handle = runtime.handle().clone();
            std::thread::Builder::new()
                .name("webhook-delivery".to_owned())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .map_err(|error| error.to_string())?;
            // Deliveries go where the operator pointed them, never through a proxy.
            let client = reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!(
                    "Svix-Webhooks/1.0 (clerk-backend-mock ",
                    env!("CARGO_PKG_VERSION"),
                    ")"
                ))
                .build()
                .map_err(|error| error.to_string())?;
            Ok(Runtime { handle, client })
        })
        .as_ref()
        .map_err(String::as_str)
}

/// Starts the task that delivers `endpoint`'s attempts; it ends when the endpoint is closed.
pub fn start(endpoint: Arc<Endpoint>, clock: Arc<Clock>, retries: RetrySchedule) {
    match runtime() {
        Ok(runtime) => {
            runtime.handle.spawn(deliver_until_closed(
                endpoint,
                clock,
                retries,
                runtime.client.clone(),
            ));
        }
        Err(error) => tracing::error!(%error, "webhooks cannot be delivered"),
    }
}

async fn deliver_until_closed(
    endpoint: Arc<Endpoint>,
    clock: Arc<Clock>,
    retries: RetrySchedule,
    client: reqwest::Client,
) {
    while !endpoint.is_closed() {
        let now = clock.now_ms();
        let next = {
            let mut state = endpoint.state.lock();
            match state.queue.first_key_value() {
                Some((&(due, _), _)) if due <= now => state.queue.pop_first().map(|(_, a)| a),
                _ => None,
            }
        };
        match next {
            Some(attempt) => attempt_delivery(&endpoint, &clock, &retries, &client, attempt).await,
            None => {
                let waiting = !endpoint.state.lock().queue.is_empty();
                if waiting {
                    // The clock may be moved at any time: look again soon.
                    let _ = tokio::time::timeout(CLOCK_POLL, endpoint.wake.notified()).await;
                } else {
                    endpoint.wake.notified().await;
                }
            }
        }
    }
}

/// Makes one attempt, logs it, and schedules the next on failure (or disables the endpoint).
async fn attempt_delivery(
    endpoint: &Endpoint,
    clock: &Clock,
    retries: &RetrySchedule,
    client: &reqwest::Client,
    attempt: Attempt,
) {
    let message = &attempt.message;
    let timestamp = wall_clock_ms() / 1000;
    let signature = endpoint.secret.sign(&message.id, timestamp, &message.body);
    let attempted_at = wall_clock_ms();
    let started = Instant::now();
    let sent = client
        .post(endpoint.url.clone())
        .header("content-type", "application/json")
        .header("svix-id", &message.id)
        .header("svix-timestamp", timestamp.to_string())
        .header("svix-signature", signature)
        .body(message.body.clone())
        .timeout(DELIVERY_TIMEOUT)
        .send()
        .await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (status, error) = match sent {
        Ok(answer) => (Some(answer.status().as_u16()), None),
        Err(error) if error.is_timeout() => (
            None,
            Some(format!("no answer within {} s", DELIVERY_TIMEOUT.as_secs())),
        ),
        // Without the URL, which may carry credentials.
        Err(error) => (None, Some(error.without_url().to_string())),
    };
    let succeeded = status.is_some_and(|status| (200..300).contains(&status));
    let now = clock.now_ms();
    let mut state = endpoint.state.lock();
    let mut next_attempt_at = None;
    if succeeded {
        state.failing_since = None;
    } else {
        let since = *state.failing_since.get_or_insert(now);
        if now.saturating_sub(since) >= retries.disable_after_ms() {
            state.disabled = true;
            state.queue.clear();
            tracing::warn!(
                endpoint = %endpoint.id,
                "webhook endpoint disabled: every attempt failed for {} ms of the instance's clock",
                retries.disable_after_ms()
            );
        } else if let Some(delay) = retries.delay_after(attempt.number) {
            next_attempt_at = Some(now.saturating_add(delay));
            let retry = Attempt {
                message: Arc::clone(&attempt.message),
                number: attempt.number + 1,
            };
            endpoint::schedule(&mut state, now.saturating_add(delay), retry);
        }
    }
    endpoint::log(
        &mut state,
        DeliveryRecord {
            object: "webhook_delivery",
            event_id: message.id.clone(),
            event_type: message.event.as_str(),
            attempt: attempt.number,
            status,
            error,
            succeeded,
            duration_ms,
            attempted_at,
            next_attempt_at,
        },
    );
}
