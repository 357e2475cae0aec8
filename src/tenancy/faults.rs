//! Latency, failures and Clerk's rate limit, injected on purpose so that a backend's retries,
//! timeouts and back-off can be tested: per instance, per operation, and per request.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::OperationId;

/// The longest delay a rule or a request may ask for, so that no request hangs for good.
pub const MAX_DELAY_MS: u64 = 60_000;
/// The server errors a rule may answer with.
pub const ERROR_STATUSES: [u16; 4] = [500, 502, 503, 504];
/// Clerk's rate limit on development instances: 100 requests per 10 seconds per key.
pub const CLERK_RATE_LIMIT: RateLimit = RateLimit {
    requests: 100,
    window_secs: 10,
};

/// What happens to requests: each field left out means "as the default rule says" in an
/// operation's rule, and "nothing" in the default rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Wait this long before answering, in milliseconds.
    #[schema(example = 300)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Wait up to this much longer, drawn uniformly per request, in milliseconds.
    #[schema(example = 200)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<u64>,
    /// The share of requests (0 to 1) answered with a server error instead.
    #[schema(example = 0.1)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// The status of those errors: 500 (default), 502, 503 or 504.
    #[schema(example = 503)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_status: Option<u16>,
    /// The share of requests (0 to 1) whose connection is reset without an answer.
    #[schema(example = 0.0)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_rate: Option<f64>,
}

impl FaultRule {
    /// `self`, with what it leaves out taken from `default`.
    fn over(&self, default: &Self) -> Self {
        Self {
            delay_ms: self.delay_ms.or(default.delay_ms),
            jitter_ms: self.jitter_ms.or(default.jitter_ms),
            error_rate: self.error_rate.or(default.error_rate),
            error_status: self.error_status.or(default.error_status),
            reset_rate: self.reset_rate.or(default.reset_rate),
        }
    }

    fn is_idle(&self) -> bool {
        self.delay_ms.unwrap_or(0) == 0
            && self.jitter_ms.unwrap_or(0) == 0
            && self.error_rate.unwrap_or(0.0) == 0.0
            && self.reset_rate.unwrap_or(0.0) == 0.0
    }

    /// What is wrong with the rule, if anything; `at` names it in the message.
    fn problems(&self, at: &str) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let delay = self
            .delay_ms
            .unwrap_or(0)
            .saturating_add(self.jitter_ms.unwrap_or(0));
        if delay > MAX_DELAY_MS {
            problems.push((
                format!("{at}.delay_ms"),
                format!("delay_ms plus jitter_ms must be at most {MAX_DELAY_MS}"),
            ));
        }
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("reset_rate", self.reset_rate),
        ] {
            if rate.is_some_and(|rate| !(0.0..=1.0).contains(&rate)) {
                problems.push((format!("{at}.{name}"), "must be between 0 and 1".to_owned()));
            }
        }
        if let Some(status) = self.error_status
            && !ERROR_STATUSES.contains(&status)
        {
            problems.push((
                format!("{at}.error_status"),
                "must be one of 500, 502, 503, 504".to_owned(),
            ));
        }
        problems
    }
}

/// A rate limit: at most `requests` per window of `window_secs`, per secret key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    #[schema(example = 100, minimum = 1)]
    pub requests: u32,
    #[schema(example = 10, minimum = 1, maximum = 3600)]
    pub window_secs: u32,
}

/// Every fault of an instance: a default rule, rules per operation, and a rate limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "default": {"delay_ms": 50, "jitter_ms": 100},
    "operations": {"RevokeSession": {"error_rate": 1.0, "error_status": 503}},
    "rate_limit": {"requests": 100, "window_secs": 10}
}))]
pub struct FaultPlan {
    /// Applies to every operation.
    #[serde(default)]
    pub default: FaultRule,
    /// Rules by operation id (`GetSession`, `RevokeSession`, ...), over the default rule.
    #[serde(default)]
    pub operations: BTreeMap<String, FaultRule>,
    /// Clerk's rate limit, or another; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
}

impl FaultPlan {
    /// Whether the plan can affect a request at all.
    pub fn is_idle(&self) -> bool {
        self.rate_limit.is_none()
            && self.default.is_idle()
            && self.operations.values().all(FaultRule::is_idle)
    }

    /// What is wrong with the plan, as (field, problem). Rules may name Clerk's operations.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = self.default.problems("default");
        for (operation, rule) in &self.operations {
            let at = format!("operations.{operation}");
            if !OperationId::parse(operation).is_some_and(OperationId::is_api) {
                let known: Vec<&str> = OperationId::API.iter().map(|id| id.as_str()).collect();
                problems.push((
                    at.clone(),
                    format!("no such operation; operations are {}", known.join(", ")),
                ));
            }
            problems.extend(rule.problems(&at));
        }
        if let Some(limit) = self.rate_limit {
            if limit.requests == 0 {
                problems.push((
                    "rate_limit.requests".to_owned(),
                    "must be at least 1".to_owned(),
                ));
            }
            if !(1..=3600).contains(&limit.window_secs) {
                problems.push((
                    "rate_limit.window_secs".to_owned(),
                    "must be between 1 and 3600".to_owned(),
                ));
            }
        }
        problems
    }
}

/// One request's own faults, from its `Prefer` header; they win over the instance's plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestFaults {
    pub delay_ms: Option<u64>,
    pub jitter_ms: Option<u64>,
    pub fault: Option<ForcedFault>,
}

/// A fault one request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForcedFault {
    /// A server error of this status.
    Error(u16),
    /// The connection reset without an answer.
    Reset,
    /// The answer of an exhausted rate limit.
    RateLimited,
}

/// What to do with one request: wait, then answer normally or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub delay: Duration,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answer,
    Error(u16),
    Reset,
    /// Rate limited: retry after this many seconds.
    RateLimited {
        retry_after_secs: u64,
    },
}

/// The fixed window a rate limit counts in.
#[derive(Debug)]
struct Window {
    started: Instant,
    count: u32,
}

/// An instance's faults: its plan, what a reset restores, and its rate-limit window.
#[derive(Debug)]
pub struct Faults {
    baseline: Arc<FaultPlan>,
    plan: RwLock<Arc<FaultPlan>>,
    window: Mutex<Window>,
}

impl Faults {
    /// Faults following `baseline`, the server's configured plan, until a test changes them.
    pub fn new(baseline: Arc<FaultPlan>) -> Self {
        Self {
            plan: RwLock::new(Arc::clone(&baseline)),
            baseline,
            window: Mutex::new(Window {
                started: Instant::now(),
                count: 0,
            }),
        }
    }

    pub fn plan(&self) -> Arc<FaultPlan> {
        Arc::clone(&self.plan.read())
    }

    /// Replaces the plan (checked by the caller) and starts a fresh rate-limit window.
    pub fn set(&self, plan: FaultPlan) {
        *self.plan.write() = Arc::new(plan);
        self.restart_window();
    }

    /// Back to the server's configured plan.
    pub fn restore(&self) {
        *self.plan.write() = Arc::clone(&self.baseline);
        self.restart_window();
    }

    fn restart_window(&self) {
        *self.window.lock() = Window {
            started: Instant::now(),
            count: 0,
        };
    }

    /// Decides what happens to a request of `operation` under `plan` (this instance's, read
    /// once per request), counting it against the rate limit.
    pub fn decide(
        &self,
        plan: &FaultPlan,
        operation: Option<OperationId>,
        request: RequestFaults,
    ) -> Decision {
        let rule = operation
            .and_then(|operation| plan.operations.get(operation.as_str()))
            .map_or_else(|| plan.default.clone(), |rule| rule.over(&plan.default));
        let mut rng = rand::rng();
        let delay_ms = request.delay_ms.or(rule.delay_ms).unwrap_or(0);
        let jitter_ms = request.jitter_ms.or(rule.jitter_ms).unwrap_or(0);
        let waited = delay_ms.saturating_add(if jitter_ms > 0 {
            rng.random_range(0..=jitter_ms)
        } else {
            0
        });
        let delay = Duration::from_millis(waited.min(MAX_DELAY_MS));

        let rate_limited = plan.rate_limit.and_then(|limit| self.count(limit));
        let outcome = match (request.fault, rate_limited) {
            (Some(ForcedFault::Error(status)), _) => Outcome::Error(status),
            (Some(ForcedFault::Reset), _) => Outcome::Reset,
            (Some(ForcedFault::RateLimited), _) => Outcome::RateLimited {
                retry_after_secs: plan
                    .rate_limit
                    .unwrap_or(CLERK_RATE_LIMIT)
                    .window_secs
                    .into(),
            },
            (None, Some(retry_after_secs)) => Outcome::RateLimited { retry_after_secs },
            (None, None) => {
                let reset_rate = rule.reset_rate.unwrap_or(0.0);
                let error_rate = rule.error_rate.unwrap_or(0.0);
                if reset_rate > 0.0 && rng.random_bool(reset_rate.clamp(0.0, 1.0)) {
                    Outcome::Reset
                } else if error_rate > 0.0 && rng.random_bool(error_rate.clamp(0.0, 1.0)) {
                    Outcome::Error(rule.error_status.unwrap_or(500))
                } else {
                    Outcome::Answer
                }
            }
        };
        Decision { delay, outcome }
    }

    /// Counts a request in the current window; `Some(seconds to wait)` once the window is full.
    fn count(&self, limit: RateLimit) -> Option<u64> {
        let window = Duration::from_secs(limit.window_secs.into());
        let now = Instant::now();
        let mut current = self.window.lock();
        if now.duration_since(current.started) >= window {
            *current = Window {
                started: now,
                count: 0,
            };
        }
        if current.count < limit.requests {
            current.count += 1;
            return None;
        }
        let left = window.saturating_sub(now.duration_since(current.started));
        // Retry-After is whole seconds; rounding up never sends a client back too early.
        Some(left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(plan: FaultPlan) -> Faults {
        Faults::new(Arc::new(plan))
    }

    #[test]
    fn an_idle_plan_answers_every_request_at_once() {
        let faults = faults(FaultPlan::default());
        assert!(faults.plan().is_idle());
        let decision = faults.decide(
            &faults.plan(),
            Some(OperationId::GetSession),
            RequestFaults::default(),
        );
        assert_eq!(decision.delay, Duration::ZERO);
        assert_eq!(decision.outcome, Outcome::Answer);
    }

    #[test]
    fn an_operation_rule_takes_what_it_leaves_out_from_the_default() {
        let mut plan = FaultPlan {
            default: FaultRule {
                delay_ms: Some(25),
                ..FaultRule::default()
            },
            ..FaultPlan::default()
        };
        plan.operations.insert(
            "RevokeSession".to_owned(),
            FaultRule {
                error_rate: Some(1.0),
                error_status: Some(503),
                ..FaultRule::default()
            },
        );
        let faults = faults(plan);
        let revoke = faults.decide(
            &faults.plan(),
            Some(OperationId::RevokeSession),
            RequestFaults::default(),
        );
        assert_eq!(revoke.delay, Duration::from_millis(25));
        assert_eq!(revoke.outcome, Outcome::Error(503));
        let get = faults.decide(
            &faults.plan(),
            Some(OperationId::GetSession),
            RequestFaults::default(),
        );
        assert_eq!(get.outcome, Outcome::Answer);
    }

    #[test]
    fn jitter_stays_within_its_bound() {
        let faults = faults(FaultPlan {
            default: FaultRule {
                delay_ms: Some(10),
                jitter_ms: Some(5),
                ..FaultRule::default()
            },
            ..FaultPlan::default()
        });
        for _ in 0..200 {
            let delay = faults
                .decide(&faults.plan(), None, RequestFaults::default())
                .delay;
            assert!((10..=15).contains(&delay.as_millis()), "{delay:?}");
        }
    }

    #[test]
    fn the_rate_limit_refuses_past_its_count_until_the_window_ends() {
        let faults = faults(FaultPlan {
            rate_limit: Some(RateLimit {
                requests: 3,
                window_secs: 10,
            }),
            ..FaultPlan::default()
        });
        for _ in 0..3 {
            assert_eq!(
                faults
                    .decide(&faults.plan(), None, RequestFaults::default())
                    .outcome,
                Outcome::Answer
            );
        }
        assert_eq!(
            faults
                .decide(&faults.plan(), None, RequestFaults::default())
                .outcome,
            Outcome::RateLimited {
                retry_after_secs: 10
            }
        );
        faults.restore();
        assert_eq!(
            faults
                .decide(&faults.plan(), None, RequestFaults::default())
                .outcome,
            Outcome::Answer,
            "restoring the baseline (no limit) lifts it"
        );
    }

    #[test]
    fn a_request_preference_wins_over_the_plan() {
        let faults = faults(FaultPlan {
            default: FaultRule {
                delay_ms: Some(1_000),
                ..FaultRule::default()
            },
            ..FaultPlan::default()
        });
        let decision = faults.decide(
            &faults.plan(),
            None,
            RequestFaults {
                delay_ms: Some(0),
                jitter_ms: None,
                fault: Some(ForcedFault::Reset),
            },
        );
        assert_eq!(decision.delay, Duration::ZERO);
        assert_eq!(decision.outcome, Outcome::Reset);
    }

    #[test]
    fn a_bad_plan_names_each_bad_field() {
        let mut plan = FaultPlan {
            default: FaultRule {
                delay_ms: Some(MAX_DELAY_MS),
                jitter_ms: Some(1),
                error_rate: Some(1.5),
                error_status: Some(418),
                ..FaultRule::default()
            },
            rate_limit: Some(RateLimit {
                requests: 0,
                window_secs: 0,
            }),
            ..FaultPlan::default()
        };
        plan.operations
            .insert("Teleport".to_owned(), FaultRule::default());
        let fields: Vec<String> = plan
            .problems()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(
            fields,
            [
                "default.delay_ms",
                "default.error_rate",
                "default.error_status",
                "operations.Teleport",
                "rate_limit.requests",
                "rate_limit.window_secs"
            ]
        );
    }
}
