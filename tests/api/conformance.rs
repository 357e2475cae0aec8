//! The conformance suite, run as a library against the server: every check passes, mutations
//! included, against this project's generated spec and Clerk's official one.

use std::collections::HashMap;

use clerk_conformance::check::{Context, Options};
use clerk_conformance::runner::{Selection, Verdict};
use clerk_conformance::{BuiltinSpec, Spec, Target, builtin, run_suite, transport};

use crate::helpers::{ALICE, TestApp, spawn_app, spawn_app_with};

fn context(app: &TestApp, spec: Spec, api_version: Option<&str>) -> Context {
    let target = Target::new(
        &app.address,
        &app.key,
        api_version.map(str::to_owned),
        0,
        transport::http_client(std::time::Duration::from_secs(10), None).expect("client"),
    );
    Context::new(
        target,
        spec,
        Options {
            user_id: Some(ALICE.to_owned()),
            session_ids: Vec::new(),
            template: "test".to_owned(),
            allow_mutations: true,
            refresh: None,
        },
    )
}

fn not_passed(report: &clerk_conformance::RunReport) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|check| check.verdict != Verdict::Passed)
        .map(|check| format!("{} {:?}: {:?}", check.id, check.verdict, check.details))
        .collect()
}

#[tokio::test]
async fn the_server_passes_every_conformance_check() {
    let app = spawn_app().await;
    let report = run_suite(
        &context(
            &app,
            builtin::CLERK_BACKEND_MOCK.spec().expect("spec"),
            None,
        ),
        &Selection::default(),
        &HashMap::new(),
    )
    .await;
    assert_eq!(not_passed(&report), Vec::<String>::new());
    assert_eq!(report.exit_code(), 0);
}

#[tokio::test]
async fn the_server_passes_against_clerks_official_specs_with_their_known_deviations() {
    // Clerk's official spec documents only 200 for GetJWKS, though the API answers 401 without a
    // valid key (the contract's table); the built-in official files carry that known deviation.
    for version in ["2021-02-05", "2026-05-12"] {
        let official = BuiltinSpec::official_for(Some(version));
        let app = spawn_app().await;
        let report = run_suite(
            &context(&app, official.spec().expect("official spec"), Some(version)),
            &Selection::default(),
            &official.deviations(),
        )
        .await;
        let unexpected: Vec<String> = not_passed(&report)
            .into_iter()
            .filter(|line| !line.starts_with("CONTRACT-004 Deviation"))
            .collect();
        assert_eq!(unexpected, Vec::<String>::new(), "{}", official.name);
        assert_eq!(report.exit_code(), 0, "{}", official.name);
    }
}

#[tokio::test]
async fn a_list_without_filters_passes_either_way_and_the_report_says_which_answer_it_saw() {
    for (lenient, seen) in [
        (false, "400 missing_query_parameter"),
        (true, "200 with every session"),
    ] {
        let app = spawn_app_with(|settings| settings.lenient_list = lenient).await;
        let report = run_suite(
            &context(
                &app,
                builtin::CLERK_BACKEND_MOCK.spec().expect("spec"),
                None,
            ),
            &Selection {
                only: vec!["BEHAV-008".to_owned()],
                skip: Vec::new(),
            },
            &HashMap::new(),
        )
        .await;
        let check = &report.checks[0];
        assert_eq!(check.verdict, Verdict::Passed, "{:?}", check.details);
        assert!(
            check.details.iter().any(|detail| detail.contains(seen)),
            "lenient {lenient}: {:?}",
            check.details
        );
    }
}
