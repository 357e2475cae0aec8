//! Whole answers of gets and lists, kept by each worker thread for as long as they hold. Test
//! suites and frontends ask for the same sessions again and again; a kept answer is served
//! without reading the store or writing a byte.
//!
//! An answer is kept for its instance, API version, operation and what the request names (the
//! session id of a get, the query string of a list), with the generation of the instance's data
//! it was written from and the span of the instance's clock in which every session on it shows
//! the status it showed: from when it was written until the first of them expires or is
//! abandoned. Any change to the instance's data (a revoke, a new session, a load, a
//! reset, even a token minted, which counts as activity) makes a new generation; a clock moved
//! out of the span, backwards or forwards, is outside it. Lists filtered by status are not
//! kept: whether a session is on them depends on time, whether it is shown or not.

use std::cell::RefCell;
use std::collections::HashMap;

use actix_web::web::Bytes;

use crate::domain::{ApiVersion, InstanceId, Session};

/// How many bytes of answers each thread keeps; a full thread starts over.
const KEPT_BYTES_PER_THREAD: usize = 2 * 1024 * 1024;

/// Which operation an answer is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// A get, kept by session id.
    GetSession,
    /// A list, kept by query string.
    ListSessions,
}

/// An answer, and when it holds.
#[derive(Debug, Clone)]
struct KeptAnswer {
    /// The generation of the instance's data it was written from.
    generation: u64,
    /// The instance's clock when it was written.
    from_ms: i64,
    /// When the first session on it changes status by time.
    until_ms: i64,
    body: Bytes,
}

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Whose answers: an instance's, to one operation, for one API version.
type Asker = (InstanceId, ApiVersion, Operation);

#[derive(Debug, Default)]
struct Answers {
    by_request: Map<Asker, Map<Box<str>, KeptAnswer>>,
    bytes: usize,
}

thread_local! {
    static ANSWERS: RefCell<Answers> = RefCell::new(Answers::default());
}

/// The kept answer to `request` (a session id or a query string), if it holds for `generation`
/// at `now_ms`.
pub fn kept(asker: Asker, request: &str, generation: u64, now_ms: i64) -> Option<Bytes> {
    ANSWERS
        .try_with(|answers| {
            let answers = answers.try_borrow().ok()?;
            let page = answers.by_request.get(&asker)?.get(request)?;
            (page.generation == generation && (page.from_ms..page.until_ms).contains(&now_ms))
                .then(|| page.body.clone())
        })
        .ok()
        .flatten()
}

/// Keeps `body`, the answer to `request` (a session id or a query string) written at `now_ms`
/// from `sessions` as they are in `generation` of the instance's data.
pub fn keep<'a>(
    asker: Asker,
    request: &str,
    generation: u64,
    now_ms: i64,
    sessions: impl IntoIterator<Item = &'a Session>,
    body: Bytes,
) {
    let until_ms = sessions
        .into_iter()
        .map(|session| session.status_holds_until(now_ms))
        .min()
        .unwrap_or(i64::MAX);
    keep_answer(
        asker,
        request,
        KeptAnswer {
            generation,
            from_ms: now_ms,
            until_ms,
            body,
        },
    );
}

fn keep_answer(asker: Asker, request: &str, answer: KeptAnswer) {
    // Unreachable only while the thread is being torn down; the answer is then not kept.
    let _ = ANSWERS.try_with(|answers| {
        let Ok(mut answers) = answers.try_borrow_mut() else {
            return;
        };
        if answers.bytes + answer.body.len() > KEPT_BYTES_PER_THREAD {
            *answers = Answers::default();
        }
        answers.bytes += answer.body.len();
        let replaced = answers
            .by_request
            .entry(asker)
            .or_default()
            .insert(request.into(), answer);
        if let Some(replaced) = replaced {
            answers.bytes -= replaced.body.len();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SessionStatus;

    fn asker(n: u8, version: usize, operation: Operation) -> Asker {
        (
            InstanceId::from_digest(&[n]),
            ApiVersion::ALL[version],
            operation,
        )
    }

    fn answer(generation: u64, body: &'static str) -> KeptAnswer {
        KeptAnswer {
            generation,
            from_ms: 1_000,
            until_ms: 2_000,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn an_answer_holds_for_its_generation_and_span_only() {
        let lists = asker(1, 0, Operation::ListSessions);
        keep_answer(lists, "user_id=u", answer(7, "[1]"));
        let kept_for = |generation, now_ms| kept(lists, "user_id=u", generation, now_ms);
        assert_eq!(kept_for(7, 1_000).as_deref(), Some(&b"[1]"[..]));
        assert_eq!(kept_for(7, 1_999).as_deref(), Some(&b"[1]"[..]));
        assert_eq!(kept_for(8, 1_500), None, "the data changed");
        assert_eq!(kept_for(7, 2_000), None, "a session on it has expired");
        assert_eq!(kept_for(7, 999), None, "the clock went back");
        for other in [
            asker(1, 1, Operation::ListSessions),
            asker(2, 0, Operation::ListSessions),
            asker(1, 0, Operation::GetSession),
        ] {
            assert_eq!(kept(other, "user_id=u", 7, 1_500), None, "{other:?}");
        }
        assert_eq!(kept(lists, "user_id=v", 7, 1_500), None);

        keep_answer(lists, "user_id=u", answer(8, "[2]"));
        assert_eq!(kept_for(8, 1_500).as_deref(), Some(&b"[2]"[..]), "replaced");
    }

    #[test]
    fn an_answer_holds_until_the_first_session_on_it_changes_status() {
        let gets = asker(4, 0, Operation::GetSession);
        // Live until 10_000 (its `expire_at`), and one that has ended for good.
        let live = crate::domain::testing::session(1);
        let ended = Session {
            status: SessionStatus::Revoked,
            ..crate::domain::testing::session(2)
        };
        keep(
            gets,
            "both",
            7,
            1_000,
            [&ended, &live],
            Bytes::from_static(b"{}"),
        );
        assert!(kept(gets, "both", 7, 9_999).is_some());
        assert_eq!(kept(gets, "both", 7, 10_000), None);
        keep(gets, "ended", 7, 1_000, [&ended], Bytes::from_static(b"{}"));
        assert!(kept(gets, "ended", 7, i64::MAX - 1).is_some());
    }

    #[test]
    fn a_full_thread_starts_over_and_stays_within_its_bound() {
        let body = Bytes::from(vec![b' '; 100 * 1024]);
        for n in 0..=(KEPT_BYTES_PER_THREAD / body.len()) {
            let big = KeptAnswer {
                body: body.clone(),
                ..answer(1, "")
            };
            keep_answer(
                asker(3, 0, Operation::ListSessions),
                &format!("offset={n}"),
                big,
            );
        }
        let bytes = ANSWERS.with_borrow(|answers| answers.bytes);
        assert!(
            (1..=KEPT_BYTES_PER_THREAD).contains(&bytes),
            "{bytes} bytes kept"
        );
    }
}
