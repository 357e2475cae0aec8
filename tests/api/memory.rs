//! Memory under distinct requests: whatever a request asks, the server keeps nothing per
//! distinct request, so the process does not grow with the number of distinct requests.

use crate::helpers::{ALICE, start_binary};

/// The resident memory of a process, in KiB, from `/proc`.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .expect("VmRSS in /proc")
}

/// The growth a server may show over the run: allocator arenas and connection buffers, not a
/// copy of what was asked (the 20,000 queries below are 400 MB).
const GROWTH_BOUND_KIB: u64 = 48 * 1024;

/// A list of Alice's sessions with an unknown parameter of 20 KB that differs for each `n`.
async fn padded_list(client: &reqwest::Client, base: &str, n: usize) -> reqwest::StatusCode {
    let padding = format!("{n:020}").repeat(1_000);
    client
        .get(format!(
            "{base}/v1/sessions?user_id={ALICE}&unknown={padding}"
        ))
        .bearer_auth(clerk_backend_mock::DEFAULT_SECRET_KEY)
        .send()
        .await
        .expect("answered")
        .status()
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_thousand_distinct_padded_list_queries_leave_the_memory_flat() {
    let (mut child, base) = start_binary(&["--log-level", "warn"], false);
    let client = reqwest::Client::new();
    // Warm up the workers and their buffers before the first reading.
    for n in 0..200 {
        assert_eq!(padded_list(&client, &base, n).await, 200);
    }
    let before = rss_kib(child.id());
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (client, base) = (client.clone(), base.clone());
        tasks.spawn(async move {
            for n in (200 + worker..20_200).step_by(8) {
                assert_eq!(padded_list(&client, &base, n).await, 200);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a worker finished");
    }
    let after = rss_kib(child.id());
    child.kill().ok();
    child.wait().ok();
    assert!(
        after.saturating_sub(before) < GROWTH_BOUND_KIB,
        "RSS went from {before} KiB to {after} KiB"
    );
}
