//! Listing sessions: filters, order, pagination and every 400/422.

use serde_json::Value;

use crate::helpers::{ALICE, BOB, fixtures, spawn_app, spawn_app_with};

fn ids(sessions: &[Value]) -> Vec<&str> {
    sessions
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect()
}

/// The generated user with the most sessions, found through a lenient server's full list.
async fn busiest_generated_user(app: &crate::helpers::TestApp) -> String {
    let fixture_users: Vec<String> = fixtures()
        .data
        .users
        .iter()
        .map(|u| u.id.to_string())
        .collect();
    let all = app.list_sessions(&[("limit", "500")]).await;
    all.assert_status(200);
    let mut counts = std::collections::HashMap::<String, usize>::new();
    for session in all.body.as_array().expect("array") {
        let user = session["user_id"].as_str().expect("user").to_owned();
        if !fixture_users.contains(&user) {
            *counts.entry(user).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(user, count)| (*count, user.clone()))
        .map(|(user, _)| user)
        .expect("generated sessions exist")
}

fn assert_newest_first(sessions: &[Value]) {
    for pair in sessions.windows(2) {
        let key = |s: &Value| {
            (
                s["created_at"].as_i64().expect("created_at"),
                s["id"].as_str().map(str::to_owned),
            )
        };
        assert!(
            key(&pair[0]) > key(&pair[1]),
            "not newest first: {:#} then {:#}",
            pair[0],
            pair[1]
        );
    }
}

#[tokio::test]
async fn listing_by_user_returns_only_their_sessions_newest_first() {
    let app = spawn_app().await;
    let sessions = app.all_sessions_of(ALICE).await;
    let expected = fixtures()
        .data
        .sessions
        .iter()
        .filter(|s| s.user_id.to_string() == ALICE)
        .count();
    assert_eq!(sessions.len(), expected);
    assert!(sessions.iter().all(|s| s["user_id"] == ALICE));
    assert_newest_first(&sessions);
}

#[tokio::test]
async fn generated_sessions_are_listed_newest_first_with_ties_broken_by_id() {
    let app = spawn_app_with(|settings| {
        settings.lenient_list = true;
        settings.users = 3;
        settings.sessions = 300;
    })
    .await;
    let user = busiest_generated_user(&app).await;
    let sessions = app.all_sessions_of(&user).await;
    assert!(sessions.len() > 50, "{}", sessions.len());
    assert_newest_first(&sessions);
}

#[tokio::test]
async fn the_default_limit_is_10() {
    let app = spawn_app_with(|settings| {
        settings.lenient_list = true;
        settings.users = 1;
        settings.sessions = 40;
    })
    .await;
    let user = busiest_generated_user(&app).await;
    let answer = app.list_sessions(&[("user_id", &user)]).await;
    assert_eq!(answer.body.as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn paginated_answers_carry_the_total_of_all_matches() {
    let app = spawn_app().await;
    let whole = app.all_sessions_of(ALICE).await;
    let page = app
        .list_sessions(&[
            ("user_id", ALICE),
            ("paginated", "true"),
            ("limit", "2"),
            ("offset", "1"),
        ])
        .await;
    page.assert_status(200);
    assert_eq!(page.body["total_count"], whole.len());
    assert_eq!(
        page.body["data"].as_array().expect("data").as_slice(),
        &whole[1..3]
    );

    let bare = app
        .list_sessions(&[("user_id", ALICE), ("paginated", "false")])
        .await;
    assert!(bare.body.is_array());
}

#[tokio::test]
async fn pages_concatenate_to_the_whole_list_with_no_gap_or_duplicate() {
    let app = spawn_app_with(|settings| {
        settings.lenient_list = true;
        settings.users = 2;
        settings.sessions = 120;
    })
    .await;
    let user = busiest_generated_user(&app).await;
    let whole = app.all_sessions_of(&user).await;
    for limit in [1usize, 3, 7, 500] {
        let mut pages = Vec::new();
        let mut offset = 0;
        loop {
            let page = app
                .list_sessions(&[
                    ("user_id", &user),
                    ("limit", &limit.to_string()),
                    ("offset", &offset.to_string()),
                    ("paginated", "true"),
                ])
                .await;
            assert_eq!(page.body["total_count"], whole.len());
            let data = page.body["data"].as_array().cloned().expect("data");
            if data.is_empty() {
                break;
            }
            offset += data.len();
            pages.extend(data);
        }
        assert_eq!(ids(&pages), ids(&whole), "limit {limit}");
    }
}

#[tokio::test]
async fn an_offset_past_the_end_is_an_empty_page() {
    let app = spawn_app().await;
    let answer = app
        .list_sessions(&[
            ("user_id", ALICE),
            ("offset", "100000"),
            ("paginated", "true"),
        ])
        .await;
    assert_eq!(answer.body["data"], serde_json::json!([]));
    assert!(answer.body["total_count"].as_u64() > Some(0));
}

#[tokio::test]
async fn filters_by_client_status_and_both_intersect() {
    let app = spawn_app().await;
    let alice = app.all_sessions_of(ALICE).await;
    let client = alice[0]["client_id"].as_str().expect("client").to_owned();

    let by_client = app
        .list_sessions(&[("client_id", &client), ("limit", "500")])
        .await;
    let by_client = by_client.body.as_array().expect("array");
    assert!(!by_client.is_empty());
    assert!(by_client.iter().all(|s| s["client_id"] == client.as_str()));

    for status in [
        "active",
        "revoked",
        "ended",
        "expired",
        "removed",
        "abandoned",
        "replaced",
    ] {
        let filtered = app
            .list_sessions(&[
                ("user_id", ALICE),
                ("client_id", &client),
                ("status", status),
                ("limit", "500"),
            ])
            .await;
        let expected: Vec<&str> = ids(&alice)
            .into_iter()
            .zip(&alice)
            .filter(|(_, s)| s["client_id"] == client.as_str() && s["status"] == status)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            ids(filtered.body.as_array().expect("array")),
            expected,
            "{status}"
        );
    }
}

#[tokio::test]
async fn every_status_can_be_filtered_for() {
    let app = spawn_app().await;
    for status in [
        "active",
        "revoked",
        "ended",
        "expired",
        "removed",
        "abandoned",
        "replaced",
    ] {
        let answer = app
            .list_sessions(&[("user_id", ALICE), ("status", status)])
            .await;
        let sessions = answer.body.as_array().expect("array");
        assert!(!sessions.is_empty(), "no {status} session of Alice");
        assert!(sessions.iter().all(|s| s["status"] == status), "{status}");
    }
}

#[tokio::test]
async fn a_user_with_a_session_elsewhere_is_not_mixed_in() {
    let app = spawn_app().await;
    let bob = app.all_sessions_of(BOB).await;
    let alice_client = app.all_sessions_of(ALICE).await[0]["client_id"]
        .as_str()
        .map(str::to_owned)
        .expect("client");
    let none = app
        .list_sessions(&[("user_id", BOB), ("client_id", &alice_client)])
        .await;
    assert_eq!(none.body, serde_json::json!([]));
    assert!(!bob.is_empty());
}

#[tokio::test]
async fn an_unknown_or_malformed_user_id_lists_nothing() {
    let app = spawn_app().await;
    for user in ["user_2NobodyHasThisId00000000000", "not-an-id"] {
        let answer = app
            .list_sessions(&[("user_id", user), ("paginated", "true")])
            .await;
        answer.assert_status(200);
        assert_eq!(answer.body["total_count"], 0);
    }
}

#[tokio::test]
async fn listing_without_user_or_client_is_400_missing_query_parameter() {
    let app = spawn_app().await;
    app.list_sessions(&[])
        .await
        .assert_error(400, "missing_query_parameter");
    app.list_sessions(&[("status", "active")])
        .await
        .assert_error(400, "missing_query_parameter");
}

#[tokio::test]
async fn lenient_mode_lists_every_session_without_a_filter() {
    let app = spawn_app_with(|settings| settings.lenient_list = true).await;
    let answer = app
        .list_sessions(&[("paginated", "true"), ("limit", "500")])
        .await;
    answer.assert_status(200);
    let expected = 100 + fixtures().data.sessions.len();
    assert_eq!(answer.body["total_count"], expected);
    let data = answer.body["data"].as_array().expect("data");
    assert_eq!(data.len(), expected);
    assert_newest_first(data);
}

#[tokio::test]
async fn bad_values_are_422_with_the_parameter_named() {
    let app = spawn_app().await;
    for (name, value, code) in [
        ("limit", "0", "form_param_value_invalid"),
        ("limit", "501", "form_param_value_invalid"),
        ("limit", "", "form_param_value_invalid"),
        ("limit", "abc", "form_param_type_invalid"),
        ("limit", "2.5", "form_param_type_invalid"),
        ("offset", "-1", "form_param_value_invalid"),
        ("offset", "x", "form_param_type_invalid"),
        ("status", "ACTIVE", "form_param_value_invalid"),
        ("status", "pending", "form_param_value_invalid"),
        ("status", "", "form_param_value_invalid"),
        ("user_id", "", "form_param_value_invalid"),
        ("client_id", "", "form_param_value_invalid"),
        ("paginated", "maybe", "form_param_value_invalid"),
    ] {
        let query = if name == "user_id" {
            vec![(name, value)]
        } else {
            vec![("user_id", ALICE), (name, value)]
        };
        app.list_sessions(&query)
            .await
            .assert_param_error(code, name);
    }
}

#[tokio::test]
async fn every_bad_parameter_gets_its_own_error() {
    let app = spawn_app().await;
    let answer = app
        .list_sessions(&[
            ("user_id", ALICE),
            ("limit", "0"),
            ("offset", "-1"),
            ("status", "x"),
        ])
        .await;
    answer.assert_status(422);
    let params: Vec<&str> = answer.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| error["meta"]["param_name"].as_str().expect("param_name"))
        .collect();
    assert_eq!(params, ["limit", "offset", "status"]);
}

#[tokio::test]
async fn the_limit_boundaries_are_accepted() {
    let app = spawn_app().await;
    let one = app
        .list_sessions(&[("user_id", ALICE), ("limit", "1")])
        .await;
    assert_eq!(one.body.as_array().map(Vec::len), Some(1));
    app.list_sessions(&[("user_id", ALICE), ("limit", "500"), ("offset", "0")])
        .await
        .assert_status(200);
}

#[tokio::test]
async fn unknown_query_parameters_are_ignored() {
    let app = spawn_app().await;
    let answer = app
        .list_sessions(&[("user_id", ALICE), ("order_by", "-created_at"), ("foo", "")])
        .await;
    answer.assert_status(200);
}

/// The same list, asked for again after each kind of change, shows the change: nothing seen
/// before a change is served after it.
#[tokio::test]
async fn a_list_asked_for_again_after_a_change_shows_the_change() {
    let app = spawn_app().await;
    let query = [("user_id", ALICE), ("limit", "500"), ("paginated", "true")];
    let list = || async {
        let answer = app.list_sessions(&query).await;
        answer.assert_status(200);
        answer.body
    };
    let find = |page: &Value, id: &str| -> Option<Value> {
        page["data"]
            .as_array()?
            .iter()
            .find(|session| session["id"] == id)
            .cloned()
    };
    // Seen on every worker.
    let before = list().await;
    for _ in 0..4 {
        assert_eq!(list().await, before);
    }

    let created = app
        .create_session(serde_json::json!({ "user_id": ALICE }))
        .await;
    created.assert_status(200);
    let id = created.body["id"].as_str().expect("an id").to_owned();
    for _ in 0..4 {
        let after = list().await;
        assert_eq!(
            after["total_count"].as_i64(),
            before["total_count"].as_i64().map(|n| n + 1)
        );
        assert_eq!(
            find(&after, &id).map(|s| s["status"].clone()),
            Some("active".into())
        );
    }

    // A minute on, the list still holds (nothing on it changed status); then a token counts as
    // activity, a change of data.
    let advanced = app
        .client
        .post(format!("{}/__admin/instance/clock", app.address))
        .bearer_auth(&app.key)
        .json(&serde_json::json!({ "advance_ms": 60_000 }))
        .send()
        .await
        .expect("answered");
    assert_eq!(advanced.status(), 200);
    let seen = find(&list().await, &id).expect("listed");
    app.mint(&id, None, None).await.assert_status(200);
    for _ in 0..4 {
        let after = find(&list().await, &id).expect("listed");
        assert!(
            after["last_active_at"].as_i64() >= seen["last_active_at"].as_i64().map(|t| t + 60_000),
            "minting counts as activity: {after} after {seen}"
        );
    }

    app.revoke_session(&id).await.assert_status(200);
    for _ in 0..4 {
        let after = find(&list().await, &id).expect("listed");
        assert_eq!(after["status"], "revoked");
    }
}
