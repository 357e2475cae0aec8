//! Robustness: a seeded batch of hostile inputs never gets a 5xx or a body outside the envelope.

use super::{UNKNOWN_SESSION, UNKNOWN_USER, check};
use crate::check::{Check, CheckResult, Context, Findings};
use crate::client::{Auth, Request};

pub fn checks() -> Vec<Check> {
    vec![check!(
        "ROBUST-001",
        Robustness,
        Required,
        mutates = false,
        "A seeded batch of hostile inputs never gets a 5xx, and errors stay in the envelope",
        "CONTRACT §2: every non-2xx in the envelope",
        hostile_inputs
    )]
}

/// A small deterministic generator (xorshift), so every run sends the same batch.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, values: &[&'a str]) -> &'a str {
        let index = usize::try_from(self.next() % values.len() as u64).unwrap_or_default();
        values[index]
    }
}

const VALUES: [&str; 16] = [
    "",
    "0",
    "-1",
    "99999999999999999999999",
    "1e9",
    "NaN",
    "true",
    "null",
    "%00",
    "../../etc",
    "' OR 1=1 --",
    "<script>",
    "\u{1F4A5}",
    "sess_",
    "user_",
    "\u{0}\u{0}",
];

async fn hostile_inputs(context: &Context) -> CheckResult {
    let mut rng = Seeded(0x5eed_c1e7_c0de_f00d);
    let mut findings = Findings::default();
    let long = "x".repeat(4_096);
    let mut values: Vec<&str> = VALUES.to_vec();
    values.push(&long);
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    for _ in 0..60 {
        let request = match rng.next() % 6 {
            0 => Request::get("/sessions")
                .query(
                    rng.pick(&[
                        "user_id",
                        "client_id",
                        "status",
                        "limit",
                        "offset",
                        "paginated",
                    ]),
                    rng.pick(&values),
                )
                .query("user_id", UNKNOWN_USER),
            1 => Request::get(format!(
                "/sessions/{}",
                rng.pick(&values).replace('/', "%2F")
            )),
            2 => Request::post("/sessions").raw_body(
                "application/json",
                rng.pick(&[
                    deep.as_str(),
                    "{\"user_id\": [[[]]]}",
                    "{\"user_id\": 1e999}",
                    "\"\"",
                    long.as_str(),
                ])
                .as_bytes()
                .to_vec(),
            ),
            3 => Request::get(format!("/sessions/{UNKNOWN_SESSION}")).version(rng.pick(&values)),
            4 => Request::get("/jwks").auth(Auth::Raw(format!("Bearer {}", rng.pick(&values)))),
            _ => Request::post(format!(
                "/sessions/{UNKNOWN_SESSION}/tokens/{}",
                rng.pick(&["a", "..", "%2e", "x%20y"])
            ))
            .json(&serde_json::json!({ "expires_in_seconds": rng.pick(&values) })),
        };
        let exchange = match context.send(&request).await {
            Ok(exchange) => exchange,
            Err(unreachable) => {
                // Either the client could not send it (an invalid header value proves nothing)
                // or the target stopped answering: a plain request tells which.
                if context.send(&Request::get("/jwks")).await.is_err() {
                    return Err(unreachable);
                }
                continue;
            }
        };
        findings.no_server_error(&exchange);
        if exchange.status >= 400 {
            for problem in super::contract::envelope_problems(&exchange) {
                findings.push(problem);
            }
        }
    }
    Ok(findings.outcome())
}
