//! Sessions as rendered JSON, kept by each worker thread for as long as they stay the same.
//! Gets and lists are most of what the server answers, and the same few sessions are asked for
//! again and again; copying a kept rendering costs a fraction of writing it.
//!
//! A rendering is reused only for a session equal, field by field, to the one it was written
//! from, in the same status, for the same API version: a change of any kind (a revoke, a load, a
//! reset, a clock that moved past `expire_at`) writes it anew. Nothing has to announce a change,
//! so nothing can forget to.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::domain::{ApiVersion, Session, SessionId, SessionStatus};

/// How many renderings each thread keeps: about 1.6 MiB of them, more than a page's 500
/// sessions. When full, the thread starts over, which keeps each step cheap and the size bound.
const KEPT_PER_THREAD: usize = 2048;

#[derive(Debug)]
struct Rendering {
    session: Session,
    status: SessionStatus,
    json: Box<[u8]>,
}

type Renderings = HashMap<(SessionId, ApiVersion), Rendering, foldhash::fast::RandomState>;

thread_local! {
    static RENDERINGS: RefCell<Renderings> = RefCell::new(Renderings::default());
}

/// Appends the rendering of `session` in `status` for `version`: a kept one, or the one `render`
/// appends, which is then kept.
pub fn append_rendering(
    out: &mut Vec<u8>,
    session: &Session,
    status: SessionStatus,
    version: ApiVersion,
    render: impl FnOnce(&mut Vec<u8>),
) {
    let mut render = Some(render);
    // Unreachable only while the thread is being torn down, or if `render` came back here; the
    // session is then written without the cache.
    let _ = RENDERINGS.try_with(|renderings| {
        let Ok(mut renderings) = renderings.try_borrow_mut() else {
            return;
        };
        let key = (session.id, version);
        if let Some(kept) = renderings.get(&key)
            && kept.status == status
            && kept.session == *session
        {
            out.extend_from_slice(&kept.json);
            render = None;
            return;
        }
        let start = out.len();
        if let Some(render) = render.take() {
            render(out);
        }
        if renderings.len() >= KEPT_PER_THREAD {
            renderings.clear();
        }
        renderings.insert(
            key,
            Rendering {
                session: session.clone(),
                status,
                json: out.get(start..).unwrap_or_default().into(),
            },
        );
    });
    if let Some(render) = render {
        render(out);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Appends through the cache, counting the renderings written afresh.
    fn append(
        renders: &Cell<usize>,
        session: &Session,
        status: SessionStatus,
        version: ApiVersion,
    ) -> Vec<u8> {
        let mut out = b"[".to_vec();
        append_rendering(&mut out, session, status, version, |out| {
            renders.set(renders.get() + 1);
            out.extend_from_slice(format!("{}:{}", session.id, session.updated_at).as_bytes());
        });
        out
    }

    #[test]
    fn a_rendering_is_reused_only_for_an_equal_session_in_the_same_status_and_version() {
        let renders = Cell::new(0);
        let session = crate::domain::testing::session(3);
        let (active, revoked) = (SessionStatus::Active, SessionStatus::Revoked);
        let (old, new) = (
            ApiVersion::ALL[0],
            ApiVersion::ALL[ApiVersion::ALL.len() - 1],
        );

        let first = append(&renders, &session, active, old);
        assert_eq!(append(&renders, &session, active, old), first);
        assert_eq!(append(&renders, &session.clone(), active, old), first);
        assert_eq!(renders.get(), 1, "an equal session is copied, not rendered");
        assert!(
            first.starts_with(b"[sess_"),
            "appended after what was there"
        );

        append(&renders, &session, revoked, old);
        assert_eq!(renders.get(), 2, "another status is rendered anew");
        append(&renders, &session, revoked, new);
        assert_eq!(renders.get(), 3, "another version is rendered anew");

        let mut changed = session.clone();
        changed.updated_at += 1;
        let changed_bytes = append(&renders, &changed, revoked, new);
        assert_eq!(renders.get(), 4, "a changed session is rendered anew");
        assert_ne!(changed_bytes, first);
    }

    #[test]
    fn a_full_thread_starts_over_and_stays_within_its_bound() {
        let renders = Cell::new(0);
        let mut session = crate::domain::testing::session(3);
        let mut rng = crate::seed::instance_rng(5, b"ids");
        for _ in 0..=KEPT_PER_THREAD {
            session.id = SessionId::random(&mut rng);
            append(
                &renders,
                &session,
                SessionStatus::Active,
                ApiVersion::ALL[0],
            );
        }
        let kept = RENDERINGS.with_borrow(Renderings::len);
        assert!((1..=KEPT_PER_THREAD).contains(&kept), "{kept} kept");
        assert_eq!(renders.get(), KEPT_PER_THREAD + 1);
    }
}
