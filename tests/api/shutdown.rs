//! The binary as a user runs it: the banner, and a quick, graceful stop on SIGTERM or Ctrl-C.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::start_binary as start;

fn stop_with(signal: &str) {
    let (mut child, base) = start(&["--log-level", "warn"], false);
    let ready = probe::healthz_answers(&base);
    assert!(ready, "the server answers before it is stopped");
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(exit) = child.try_wait().expect("waits") {
            assert!(exit.success(), "{signal}: {exit}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{signal}: still running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

mod probe {
    /// Whether `GET {base}/healthz` answers 200, over a plain TCP connection.
    pub fn healthz_answers(base: &str) -> bool {
        use std::io::{Read, Write};
        let address = base.trim_start_matches("http://");
        let Ok(mut stream) = std::net::TcpStream::connect(address) else {
            return false;
        };
        let request =
            format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.1 200")
    }
}

#[test]
fn sigterm_stops_the_server_gracefully_and_quickly() {
    stop_with("-TERM");
}

#[test]
fn ctrl_c_stops_the_server_gracefully_and_quickly() {
    stop_with("-INT");
}

#[test]
fn json_logs_have_one_line_per_request_with_its_trace_id() {
    let (child, base) = start(&["--log-format", "json", "--log-level", "info"], true);
    assert!(probe::healthz_answers(&base));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    let output = child.wait_with_output().expect("exits");
    let logs = String::from_utf8_lossy(&output.stderr);
    let access: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["target"] == "access")
        .collect();
    assert_eq!(access.len(), 1, "{logs}");
    let fields = &access[0]["fields"];
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["path"], "/healthz");
    assert_eq!(fields["status"], 200);
    assert!(
        fields["trace_id"].as_str().is_some_and(|id| id.len() == 32),
        "{fields}"
    );
    assert!(fields.get("duration_ms").is_some());
}
