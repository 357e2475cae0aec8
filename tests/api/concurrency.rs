//! Concurrency: revoking, listing and minting from many tasks at once on the same sessions and
//! instances ends in exactly the state a serial run gives; nothing is lost, no lock is poisoned.

use std::collections::BTreeSet;

use clerk_conformance::jwt;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{ALICE, ALICE_ACTIVE, BOB, TestApp, spawn_app};

/// The state a test compares: each session of the users, by id and status.
async fn state(app: &TestApp) -> BTreeSet<(String, String)> {
    let mut state = BTreeSet::new();
    for user in [ALICE, BOB] {
        for session in app.all_sessions_of(user).await {
            state.insert((
                session["id"].as_str().unwrap_or_default().to_owned(),
                session["status"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    state
}

/// Creates `count` sessions for Alice and Bob, then revokes every other one and mints a token
/// for each, either one request at a time or all at once.
async fn workload(app: &TestApp, count: usize, concurrently: bool) -> Vec<Value> {
    let create = |n: usize| {
        app.create_session(json!({ "user_id": if n.is_multiple_of(2) { ALICE } else { BOB } }))
    };
    let created: Vec<Value> = if concurrently {
        join_all((0..count).map(create))
            .await
            .into_iter()
            .map(|answer| answer.body)
            .collect()
    } else {
        let mut created = Vec::new();
        for n in 0..count {
            created.push(create(n).await.body);
        }
        created
    };
    // Which sessions to revoke is decided by id, not by creation order, which concurrency shuffles.
    let mut ids: Vec<String> = created
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    let to_revoke: Vec<&String> = ids.iter().step_by(2).collect();
    if concurrently {
        let revokes = join_all(to_revoke.iter().map(|id| app.revoke_session(id)));
        let lists =
            join_all((0..20).map(|_| app.list_sessions(&[("user_id", ALICE), ("limit", "500")])));
        let (revoked, listed) = tokio::join!(revokes, lists);
        assert!(revoked.iter().all(|answer| answer.status == 200));
        assert!(listed.iter().all(|answer| answer.status == 200));
        let minted = join_all(ids.iter().map(|id| app.mint(id, None, None))).await;
        minted.into_iter().map(|answer| answer.body).collect()
    } else {
        for id in &to_revoke {
            app.revoke_session(id).await.assert_status(200);
        }
        let mut minted = Vec::new();
        for id in &ids {
            minted.push(app.mint(id, None, None).await.body);
        }
        minted
    }
}

#[tokio::test]
async fn a_concurrent_run_ends_in_the_state_of_a_serial_one() {
    let serial = spawn_app().await;
    let concurrent = spawn_app().await;
    workload(&serial, 60, false).await;
    workload(&concurrent, 60, true).await;
    // The same seed draws the same ids, whatever order the requests took them in.
    assert_eq!(state(&concurrent).await, state(&serial).await);
}

#[tokio::test]
async fn tokens_minted_at_once_all_verify_and_are_distinct() {
    let app = spawn_app().await;
    let answers = join_all((0..50).map(|_| app.mint(ALICE_ACTIVE, None, None))).await;
    let jwks = app.jwks().await;
    let mut jtis = BTreeSet::new();
    for answer in answers {
        answer.assert_status(200);
        let token = jwt::verify(
            answer.body["jwt"].as_str().unwrap_or_default(),
            &jwks,
            jwt::now_secs(),
            5,
        )
        .expect("verifies");
        jtis.insert(token.claims["jti"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(jtis.len(), 50);
}

#[tokio::test]
async fn revoking_one_session_from_many_tasks_revokes_it_once() {
    let app = spawn_app().await;
    let answers = join_all((0..40).map(|_| app.revoke_session(ALICE_ACTIVE))).await;
    assert!(
        answers
            .iter()
            .all(|answer| answer.status == 200 && answer.body["status"] == "revoked")
    );
    let updated: BTreeSet<i64> = answers
        .iter()
        .filter_map(|answer| answer.body["updated_at"].as_i64())
        .collect();
    assert_eq!(updated.len(), 1, "every answer shows the one revocation");
    app.mint(ALICE_ACTIVE, None, None)
        .await
        .assert_error(404, "resource_not_found");
}
