//! Running checks: selection, safety (mutations, live keys), one check at a time with failures
//! contained, known deviations, and a crash report when the target stops answering.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};

use crate::check::{Check, Context, Group, Outcome, Severity};
use crate::client::Request;

/// What became of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Failed,
    /// An observation-only check that did not pass: reported, never failing.
    Observed,
    /// A failure listed in the known-deviations file.
    Deviation,
    Skipped,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub verdict: Verdict,
    pub details: Vec<String>,
    pub duration_ms: u128,
}

/// The target stopped answering mid-run.
#[derive(Debug, Clone, Serialize)]
pub struct Crash {
    pub check: String,
    pub last_request: String,
    pub reason: String,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub base_url: String,
    pub checks: Vec<CheckReport>,
    pub crash: Option<Crash>,
    pub duration_ms: u128,
}

impl RunReport {
    pub fn count(&self, verdict: Verdict) -> usize {
        self.checks
            .iter()
            .filter(|check| check.verdict == verdict)
            .count()
    }

    /// 0: all required checks passed; 1: some failed; 3: the target stopped answering.
    pub fn exit_code(&self) -> u8 {
        if self.crash.is_some() {
            3
        } else if self.count(Verdict::Failed) > 0 {
            1
        } else {
            0
        }
    }
}

/// An accepted difference of a real server, with the reason it is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    pub id: String,
    pub reason: String,
}

/// Reads a known-deviations file (YAML or JSON): a list of `{id, reason}`, each reason given.
pub fn parse_deviations(text: &str) -> Result<HashMap<String, String>, String> {
    let entries: Vec<Deviation> = yaml_serde::from_str(text)
        .map_err(|error| format!("not a list of {{id, reason}}: {error}"))?;
    entries
        .into_iter()
        .map(|entry| {
            if entry.reason.trim().is_empty() {
                Err(format!("deviation {} has no reason", entry.id))
            } else {
                Ok((entry.id, entry.reason))
            }
        })
        .collect()
}

/// Which checks run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Check ids or group names; empty means all.
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

impl Selection {
    fn matches(list: &[String], check: &Check) -> bool {
        list.iter().any(|item| {
            item.eq_ignore_ascii_case(check.id) || item.eq_ignore_ascii_case(check.group.name())
        })
    }

    pub fn includes(&self, check: &Check) -> bool {
        (self.only.is_empty() || Self::matches(&self.only, check))
            && !Self::matches(&self.skip, check)
    }
}

/// Called before each check with its position, the total and the check.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize, &Check);

/// Runs `checks` against the context's target, one at a time.
pub async fn run(
    context: &Context,
    checks: &[Check],
    selection: &Selection,
    deviations: &HashMap<String, String>,
    progress: Progress<'_>,
) -> RunReport {
    let started = Instant::now();
    let selected: Vec<&Check> = checks
        .iter()
        .filter(|check| selection.includes(check))
        .collect();
    let mut reports = Vec::with_capacity(selected.len());
    let mut crash = None;
    for (index, check) in selected.iter().enumerate() {
        progress(index + 1, selected.len(), check);
        let check_started = Instant::now();
        let outcome = if crash.is_some() {
            Outcome::Skip("not run: the target stopped answering".to_owned())
        } else if check.mutates && !context.options.allow_mutations {
            Outcome::Skip("changes data: run with --allow-mutations".to_owned())
        } else {
            match AssertUnwindSafe((check.run)(context)).catch_unwind().await {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(unreachable)) => {
                    crash = Some(Crash {
                        check: check.id.to_owned(),
                        last_request: context.target.last_request().unwrap_or(unreachable.request),
                        reason: unreachable.reason,
                    });
                    Outcome::Fail(vec!["the target stopped answering".to_owned()])
                }
                Err(_) => Outcome::Fail(vec!["the check itself failed unexpectedly".to_owned()]),
            }
        };
        let (verdict, mut details) = match outcome {
            Outcome::Pass => (Verdict::Passed, Vec::new()),
            Outcome::Saw(answer) => (Verdict::Passed, vec![format!("saw: {answer}")]),
            Outcome::Skip(reason) => (Verdict::Skipped, vec![reason]),
            Outcome::Fail(problems) => match (check.severity, deviations.get(check.id)) {
                (_, Some(reason)) => (
                    Verdict::Deviation,
                    vec![format!("known deviation: {reason}")]
                        .into_iter()
                        .chain(problems)
                        .collect(),
                ),
                (Severity::Observation, None) => (Verdict::Observed, problems),
                (Severity::Required, None) => (Verdict::Failed, problems),
            },
        };
        details = details
            .iter()
            .map(|detail| context.target.redact(detail))
            .collect();
        reports.push(CheckReport {
            id: check.id,
            group: check.group,
            title: check.title,
            rule: check.rule,
            severity: check.severity,
            verdict,
            details,
            duration_ms: check_started.elapsed().as_millis(),
        });
    }
    RunReport {
        base_url: context.target.base_url().to_owned(),
        checks: reports,
        crash,
        duration_ms: started.elapsed().as_millis(),
    }
}

/// Whether the target answers at all (any HTTP answer counts).
pub async fn reachable(context: &Context) -> Result<(), String> {
    context
        .send(&Request::get("/jwks"))
        .await
        .map(|_| ())
        .map_err(|unreachable| unreachable.to_string())
}

/// The default request cap for a base URL: none for this machine (a loopback address, `::1`,
/// `0.0.0.0`, `localhost` or a name under `.localhost`), 10 per second elsewhere (a Clerk
/// development instance allows 100 requests per 10 seconds).
pub fn default_rate_limit(base_url: &str) -> u32 {
    let local = url::Url::parse(base_url)
        .ok()
        .and_then(|url| url.host().map(|host| host.to_owned()))
        .is_some_and(|host| match host {
            url::Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost")
            }
            url::Host::Ipv4(address) => address.is_loopback() || address.is_unspecified(),
            url::Host::Ipv6(address) => address.is_loopback() || address.is_unspecified(),
        });
    if local { 0 } else { 10 }
}

/// The timeout of one request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_targets_are_not_rate_limited_by_default() {
        assert_eq!(default_rate_limit("http://127.0.0.1:8080"), 0);
        assert_eq!(default_rate_limit("http://localhost:3000/"), 0);
        assert_eq!(default_rate_limit("http://[::1]:8080"), 0);
        assert_eq!(default_rate_limit("http://127.8.9.10"), 0);
        assert_eq!(default_rate_limit("http://0.0.0.0:8080"), 0);
        assert_eq!(default_rate_limit("https://mock.localhost:8443"), 0);
        assert_eq!(default_rate_limit("http://LOCALHOST."), 0);
        assert_eq!(default_rate_limit("http://user:pw@127.0.0.1:1/x?y=z"), 0);
        assert_eq!(default_rate_limit("https://api.clerk.com"), 10);
        assert_eq!(default_rate_limit("https://localhost.example.com"), 10);
        assert_eq!(default_rate_limit("https://127.0.0.1.nip.io"), 10);
        assert_eq!(default_rate_limit("http://[::2]:8080"), 10);
        assert_eq!(default_rate_limit("not a url"), 10);
    }

    #[test]
    fn deviations_need_a_reason() {
        let parsed = parse_deviations("- id: INPUT-005\n  reason: Clerk ignores empty ids\n")
            .expect("parses");
        assert_eq!(
            parsed.get("INPUT-005").map(String::as_str),
            Some("Clerk ignores empty ids")
        );
        assert!(parse_deviations("- id: INPUT-005\n  reason: ''\n").is_err());
        assert!(parse_deviations("- id: INPUT-005\n").is_err());
    }
}
