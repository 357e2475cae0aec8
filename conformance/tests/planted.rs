//! The suite against deliberately broken servers: the real mock behind a proxy that plants one
//! bug at a time. Each planted bug must be caught by the check meant for it, and the clean proxy
//! must pass everything.

mod common;

use std::collections::HashMap;

use clerk_conformance::check::{Context, GivenRefresh, Options};
use clerk_conformance::runner::{RunReport, Selection, Verdict};
use clerk_conformance::transport::http_client;
use clerk_conformance::{Target, run_suite};
use common::planted::{ALICE, Bug, KEY, spawn_broken_server, spawn_independent_server};
use serde_json::Value;

async fn run_against(bug: Bug) -> RunReport {
    run_suite_at(&spawn_broken_server(bug).await, None).await
}

async fn run_suite_at(address: &str, refresh: Option<GivenRefresh>) -> RunReport {
    let target = Target::new(
        address,
        KEY,
        None,
        0,
        http_client(std::time::Duration::from_secs(2), None).expect("client"),
    );
    let context = Context::new(
        target,
        clerk_conformance::builtin::CLERK_BACKEND_MOCK
            .spec()
            .expect("spec"),
        Options {
            user_id: Some(ALICE.to_owned()),
            session_ids: Vec::new(),
            template: "test".to_owned(),
            allow_mutations: true,
            refresh,
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
const PLANTED: [(Bug, &str); 32] = [
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
    (Bug::RefreshWithoutAFieldIs500, "REFRESH-006"),
    (Bug::EmailAddressWithoutLinkedTo, "USER-001"),
    (Bug::UnknownUserIsOk, "USER-002"),
    (Bug::UserCountIgnoresFilters, "USER-003"),
    (Bug::UserListIgnoresOffset, "USER-004"),
    (Bug::DeleteNotPersisted, "USER-007"),
    (Bug::DuplicateEmailAccepted, "USER-008"),
    (Bug::MetadataMergeIsShallow, "USER-009"),
    (Bug::BanKeepsSessions, "USER-010"),
    (Bug::TestingTokenInMilliseconds, "TOKEN-008"),
    (Bug::RevokingTwiceIsOk, "TOKEN-009"),
    (Bug::SlugLookupFails, "ORG-001"),
    (Bug::MembershipWithoutPublicUserData, "ORG-002"),
    (Bug::OrganizationDeleteNotPersisted, "ORG-004"),
    (Bug::DuplicateMembershipAccepted, "ORG-005"),
];

fn verdict(report: &RunReport, id: &str) -> Option<Verdict> {
    report
        .checks
        .iter()
        .find(|check| check.id == id)
        .map(|check| check.verdict)
}

/// A session of the mock behind a proxy and its refresh token, as a tester copies them from a
/// browser.
async fn a_session_and_its_refresh_token(upstream: &str) -> GivenRefresh {
    let http = reqwest::Client::new();
    let session = common::create_session(
        &http,
        upstream,
        KEY,
        &serde_json::json!({ "user_id": ALICE }),
    )
    .await;
    let session_id = session["id"].as_str().expect("an id").to_owned();
    let handed_out: Value = http
        .get(format!(
            "{upstream}/__admin/instance/sessions/{session_id}/refresh_token"
        ))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    GivenRefresh {
        session_id,
        refresh_token: handed_out["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned(),
    }
}

#[tokio::test]
async fn on_a_server_without_the_admin_surface_the_refresh_checks_still_catch_their_bugs() {
    // No refresh token: the checks that need none run, and catch a 500 for a missing field.
    let server = spawn_independent_server(Bug::RefreshWithoutAFieldIs500).await;
    let report = run_suite_at(&server.address, None).await;
    assert!(
        failed(&report).contains(&"REFRESH-006"),
        "{}",
        clerk_conformance::report::table(&report)
    );
    for id in ["REFRESH-001", "REFRESH-002"] {
        assert_eq!(verdict(&report, id), Some(Verdict::Passed), "{id}");
    }
    assert_eq!(verdict(&report, "REFRESH-004"), Some(Verdict::Skipped));

    // A refresh token given as a tester would: the rest runs, passes on a clean server, and
    // catches a refresh that ignores the refresh token.
    let clean = spawn_independent_server(Bug::None).await;
    let given = a_session_and_its_refresh_token(&clean.upstream).await;
    let report = run_suite_at(&clean.address, Some(given)).await;
    for id in ["REFRESH-004", "REFRESH-005", "REFRESH-006"] {
        assert_eq!(
            verdict(&report, id),
            Some(Verdict::Passed),
            "{id}: {}",
            clerk_conformance::report::table(&report)
        );
    }
    let broken = spawn_independent_server(Bug::RefreshIgnoresTheRefreshToken).await;
    let given = a_session_and_its_refresh_token(&broken.upstream).await;
    let report = run_suite_at(&broken.address, Some(given)).await;
    assert!(failed(&report).contains(&"REFRESH-004"));
}

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
