//! Whole list answers, kept by each worker thread for as long as they hold. Test suites and
//! frontends ask for the same user's sessions again and again; a kept answer is served without
//! reading the store or writing a byte.
//!
//! An answer is kept for its instance, API version and query string, with the generation of the
//! instance's data it was written from and the span of the instance's clock in which every
//! session on it shows the status it showed: from when it was written until the first of them
//! expires or is abandoned. Any change to the instance's data (a revoke, a new session, a load, a
//! reset, even a token minted, which counts as activity) makes a new generation; a clock moved
//! out of the span, backwards or forwards, is outside it. Lists filtered by status are not
//! kept: whether a session is on them depends on time, whether it is shown or not.

use std::cell::RefCell;
use std::collections::HashMap;

use actix_web::web::Bytes;

use crate::domain::{ApiVersion, InstanceId};

/// How many bytes of answers each thread keeps; a full thread starts over.
const KEPT_BYTES_PER_THREAD: usize = 2 * 1024 * 1024;

/// An answer, and when it holds.
#[derive(Debug, Clone)]
pub struct KeptPage {
    /// The generation of the instance's data it was written from.
    pub generation: u64,
    /// The instance's clock when it was written.
    pub from_ms: i64,
    /// When the first session on it changes status by time.
    pub until_ms: i64,
    pub body: Bytes,
}

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
struct Pages {
    by_query: Map<(InstanceId, ApiVersion), Map<Box<str>, KeptPage>>,
    bytes: usize,
}

thread_local! {
    static PAGES: RefCell<Pages> = RefCell::new(Pages::default());
}

/// The kept answer to `query` for this instance and version, if it holds for `generation` at
/// `now_ms`.
pub fn kept(
    instance: InstanceId,
    version: ApiVersion,
    query: &str,
    generation: u64,
    now_ms: i64,
) -> Option<Bytes> {
    PAGES
        .try_with(|pages| {
            let pages = pages.try_borrow().ok()?;
            let page = pages.by_query.get(&(instance, version))?.get(query)?;
            (page.generation == generation && (page.from_ms..page.until_ms).contains(&now_ms))
                .then(|| page.body.clone())
        })
        .ok()
        .flatten()
}

/// Keeps the answer to `query` for this instance and version.
pub fn keep(instance: InstanceId, version: ApiVersion, query: &str, page: KeptPage) {
    // Unreachable only while the thread is being torn down; the answer is then not kept.
    let _ = PAGES.try_with(|pages| {
        let Ok(mut pages) = pages.try_borrow_mut() else {
            return;
        };
        if pages.bytes + page.body.len() > KEPT_BYTES_PER_THREAD {
            *pages = Pages::default();
        }
        pages.bytes += page.body.len();
        let replaced = pages
            .by_query
            .entry((instance, version))
            .or_default()
            .insert(query.into(), page);
        if let Some(replaced) = replaced {
            pages.bytes -= replaced.body.len();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(n: u8) -> InstanceId {
        InstanceId::from_digest(&[n])
    }

    fn page(generation: u64, body: &'static str) -> KeptPage {
        KeptPage {
            generation,
            from_ms: 1_000,
            until_ms: 2_000,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn an_answer_holds_for_its_generation_and_span_only() {
        let version = ApiVersion::ALL[0];
        keep(instance(1), version, "user_id=u", page(7, "[1]"));
        let kept_for =
            |generation, now_ms| kept(instance(1), version, "user_id=u", generation, now_ms);
        assert_eq!(kept_for(7, 1_000).as_deref(), Some(&b"[1]"[..]));
        assert_eq!(kept_for(7, 1_999).as_deref(), Some(&b"[1]"[..]));
        assert_eq!(kept_for(8, 1_500), None, "the data changed");
        assert_eq!(kept_for(7, 2_000), None, "a session on it has expired");
        assert_eq!(kept_for(7, 999), None, "the clock went back");
        assert_eq!(
            kept(instance(1), ApiVersion::ALL[1], "user_id=u", 7, 1_500),
            None
        );
        assert_eq!(kept(instance(2), version, "user_id=u", 7, 1_500), None);
        assert_eq!(kept(instance(1), version, "user_id=v", 7, 1_500), None);

        keep(instance(1), version, "user_id=u", page(8, "[2]"));
        assert_eq!(kept_for(8, 1_500).as_deref(), Some(&b"[2]"[..]), "replaced");
    }

    #[test]
    fn a_full_thread_starts_over_and_stays_within_its_bound() {
        let body = Bytes::from(vec![b' '; 100 * 1024]);
        for n in 0..=(KEPT_BYTES_PER_THREAD / body.len()) {
            let page = KeptPage {
                body: body.clone(),
                ..page(1, "")
            };
            keep(
                instance(3),
                ApiVersion::ALL[0],
                &format!("offset={n}"),
                page,
            );
        }
        let bytes = PAGES.with_borrow(|pages| pages.bytes);
        assert!(
            (1..=KEPT_BYTES_PER_THREAD).contains(&bytes),
            "{bytes} bytes kept"
        );
    }
}
