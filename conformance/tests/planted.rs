//! The suite against deliberately broken servers: the real mock behind a proxy that plants one
//! bug at a time. Each planted bug must be caught by the check meant for it, and the clean proxy
//! must pass everything.

mod common;

use std::collections::HashMap;

use clerk_conformance::check::{Context, Options};
use clerk_conformance::runner::{RunReport, Selection, Verdict};
use clerk_conformance::transport::http_client;
use clerk_conformance::{Target, run_suite};
use common::planted::{ALICE, Bug, KEY, spawn_broken_server};

async fn run_against(bug: Bug) -> RunReport {
    let address = spawn_broken_server(bug).await;
    let target = Target::new(
        &address,
        KEY,
        None,
        0,
        http_client(std::time::Duration::from_secs(2), None).expect("client"),
    );
    let context = Context::new(
        target,
        clerk_conformance::builtin::CLERK_SESSIONS
            .spec()
            .expect("spec"),
        Options {
            user_id: Some(ALICE.to_owned()),
            session_ids: Vec::new(),
            template: "test".to_owned(),
            allow_mutations: true,
        },
    );
    run_suite(&context, &Selection::default(), &HashMap::new()).await
}

fn failed(report: &RunReport) -> Vec<&'static str> {
    report
        .checks
        .iter()
        .filter(|check| check.verdict == Verdict::Failed)
        .map(|check| check.id)
        .collect()
}

#[tokio::test]
async fn the_clean_proxy_passes_every_check() {
    let report = run_against(Bug::None).await;
    assert_eq!(
        failed(&report),
        Vec::<&str>::new(),
        "{}",
        clerk_conformance::report::table(&report)
    );
    assert_eq!(report.count(Verdict::Skipped), 0);
    assert_eq!(report.exit_code(), 0);
}

/// Every planted bug and the check meant to catch it.
const PLANTED: [(Bug, &str); 17] = [
    (Bug::WrongSortOrder, "BEHAV-001"),
    (Bug::IgnoredLimit, "BEHAV-002"),
    (Bug::IgnoredStatusFilter, "BEHAV-003"),
    (Bug::RevokeNotPersisted, "BEHAV-011"),
    (Bug::RevokeUnknownIsOk, "BEHAV-007"),
    (Bug::Hs256TokensWithWrongSid, "TOKEN-002"),
    (Bug::AnySecretKeyAccepted, "AUTH-004"),
    (Bug::Limit501Accepted, "INPUT-001"),
    (Bug::ServerErrorOnNegativeOffset, "INPUT-002"),
    (Bug::WrongEnvelope, "CONTRACT-002"),
    (Bug::CharsetInContentType, "CONTRACT-001"),
    (Bug::MissingLongMessage, "CONTRACT-002"),
    (Bug::PendingLeaksIntoOldVersions, "CONTRACT-007"),
    (Bug::TokenFromAnotherInstance, "TOKEN-002"),
    (Bug::VerifyIgnoresTheSessionOfTheToken, "BEHAV-013"),
    (Bug::MethodNotAllowedWithoutAllow, "CONTRACT-008"),
    (Bug::RefreshIgnoresTheRefreshToken, "REFRESH-004"),
];

#[tokio::test]
async fn every_planted_bug_is_caught_by_the_check_meant_for_it() {
    let mut missed = Vec::new();
    for (bug, check) in PLANTED {
        let report = run_against(bug).await;
        let failures = failed(&report);
        if !failures.contains(&check) {
            missed.push(format!(
                "{bug:?}: expected {check} to fail, failed: {failures:?}"
            ));
        }
        assert_eq!(report.exit_code(), 1, "{bug:?}");
    }
    assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
}

#[tokio::test]
async fn a_target_that_stops_answering_is_one_crash_with_the_last_request() {
    let report = run_against(Bug::StopsAnswering).await;
    let crash = report.crash.as_ref().expect("a crash is reported");
    assert!(crash.last_request.contains(" /v1/"), "{crash:?}");
    assert_eq!(report.exit_code(), 3);
    assert_eq!(
        failed(&report),
        vec![crash.check.as_str()],
        "one failure, not a pile of them"
    );
    assert!(
        report.count(Verdict::Skipped) > 10,
        "the remaining checks are not run"
    );
}
