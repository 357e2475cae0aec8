//! Sessions written straight to JSON bytes. Get and list answers are most of what the server
//! writes, and serde spends most of that time escaping field names and ids that never need it.
//! The bytes are exactly those of [`SessionBody`] through `serde_json` (a test holds them equal
//! for every fixture, version and status), so the spec's schema still describes them.

use actix_web::HttpResponse;
use actix_web::web::Bytes;

use super::render_cache::append_rendering;
use super::routes::json_bytes_ok;
#[cfg(doc)]
use super::wire::SessionBody;
use crate::domain::{ApiVersion, Session, SessionActivity, SessionStatus};

/// About how many bytes one session takes, so that a page's buffer is allocated once.
const SESSION_BYTES: usize = 640;

/// An id in quotes: a prefix and base62 characters, which never need escaping.
macro_rules! write_id {
    ($out:expr, $id:expr) => {{
        $out.push(b'"');
        $id.append_to($out);
        $out.push(b'"');
    }};
}

/// A `200 OK` answer carrying one session.
pub fn session_answer(session: &Session, version: ApiVersion, now_ms: i64) -> HttpResponse {
    json_bytes_ok(session_body(session, version, now_ms))
}

/// The body of an answer carrying one session.
pub fn session_body(session: &Session, version: ApiVersion, now_ms: i64) -> Bytes {
    let mut out = Vec::with_capacity(SESSION_BYTES);
    write_session(&mut out, session, version, now_ms);
    Bytes::from(out)
}

/// The body of a page of sessions: a bare array, or `{"data": [...], "total_count": N}` when
/// `total_count` is given.
pub fn list_body(
    sessions: &[&Session],
    total_count: Option<usize>,
    version: ApiVersion,
    now_ms: i64,
) -> Bytes {
    let mut out = Vec::with_capacity(SESSION_BYTES * sessions.len() + 32);
    write_list(&mut out, sessions, total_count, version, now_ms);
    Bytes::from(out)
}

/// Writes a page of sessions: a bare array, or `{"data": [...], "total_count": N}`.
pub fn write_list(
    out: &mut Vec<u8>,
    sessions: &[&Session],
    total_count: Option<usize>,
    version: ApiVersion,
    now_ms: i64,
) {
    if total_count.is_some() {
        out.extend_from_slice(b"{\"data\":");
    }
    out.push(b'[');
    for (index, session) in sessions.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_session(out, session, version, now_ms);
    }
    out.push(b']');
    if let Some(total_count) = total_count {
        out.extend_from_slice(b",\"total_count\":");
        write_integer(out, total_count);
        out.push(b'}');
    }
}

/// Writes `session` as `version` presents it at `now_ms`, from this thread's renderings when it
/// has one of the session as it is now.
pub fn write_session(out: &mut Vec<u8>, session: &Session, version: ApiVersion, now_ms: i64) {
    let status = session.status_at(now_ms).presented_for(version);
    append_rendering(out, session, status, version, |out| {
        render_session(out, session, version, status);
    });
}

/// Writes `session` as `version` presents it in `status`, its status at the time of the answer.
pub fn render_session(
    out: &mut Vec<u8>,
    session: &Session,
    version: ApiVersion,
    status: SessionStatus,
) {
    out.extend_from_slice(b"{\"object\":\"session\",\"id\":");
    write_id!(out, session.id);
    out.extend_from_slice(b",\"user_id\":");
    write_id!(out, session.user_id);
    out.extend_from_slice(b",\"client_id\":");
    write_id!(out, session.client_id);
    out.extend_from_slice(b",\"actor\":");
    match &session.actor {
        Some(actor) => write_value(out, actor),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"status\":\"");
    out.extend_from_slice(status_text(status).as_bytes());
    out.extend_from_slice(b"\",\"last_active_organization_id\":");
    match session.last_active_organization_id {
        Some(organization) => write_id!(out, organization),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"last_active_at\":");
    write_integer(out, session.last_active_at);
    out.extend_from_slice(b",\"latest_activity\":");
    match &session.latest_activity {
        Some(activity) => write_activity(out, session, activity),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"expire_at\":");
    write_integer(out, session.expire_at);
    out.extend_from_slice(b",\"abandon_at\":");
    write_integer(out, session.abandon_at);
    out.extend_from_slice(b",\"updated_at\":");
    write_integer(out, session.updated_at);
    out.extend_from_slice(b",\"created_at\":");
    write_integer(out, session.created_at);
    if version.has_session_tasks() {
        out.extend_from_slice(b",\"tasks\":");
        if status == SessionStatus::Pending && !session.tasks.is_empty() {
            out.push(b'[');
            for (index, task) in session.tasks.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"key\":");
                write_str(out, &task.key);
                out.push(b'}');
            }
            out.push(b']');
        } else {
            out.extend_from_slice(b"null");
        }
    }
    out.push(b'}');
}

fn write_activity(out: &mut Vec<u8>, session: &Session, activity: &SessionActivity) {
    out.extend_from_slice(b"{\"object\":\"session_activity\",\"id\":");
    write_id!(out, crate::domain::ActivityId::for_session(session.id));
    out.extend_from_slice(b",\"device_type\":");
    write_str(out, &activity.device_type);
    out.extend_from_slice(b",\"is_mobile\":");
    out.extend_from_slice(if activity.is_mobile {
        b"true"
    } else {
        b"false"
    });
    out.extend_from_slice(b",\"browser_name\":");
    write_str(out, &activity.browser_name);
    out.extend_from_slice(b",\"browser_version\":");
    write_str(out, &activity.browser_version);
    out.extend_from_slice(b",\"ip_address\":");
    write_str(out, &activity.ip_address);
    out.extend_from_slice(b",\"city\":");
    write_str(out, &activity.city);
    out.extend_from_slice(b",\"country\":");
    write_str(out, &activity.country);
    out.push(b'}');
}

/// The status as the API spells it (serde's snake case of [`SessionStatus`]).
fn status_text(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Active => "active",
        SessionStatus::Revoked => "revoked",
        SessionStatus::Ended => "ended",
        SessionStatus::Expired => "expired",
        SessionStatus::Removed => "removed",
        SessionStatus::Abandoned => "abandoned",
        SessionStatus::Replaced => "replaced",
        SessionStatus::Pending => "pending",
    }
}

fn write_integer(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// A string, escaped as `serde_json` escapes it; most strings need no escaping at all.
fn write_str(out: &mut Vec<u8>, text: &str) {
    let plain = text
        .bytes()
        .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\');
    if plain {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        write_value(out, &text);
    }
}

fn write_value(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    // Serialising a string or a JSON value into a vector cannot fail.
    let _ = serde_json::to_writer(out, value);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::session::SessionTask;
    use crate::http::wire::{PaginatedSessions, SessionBody, SessionList};

    fn serde_bytes(session: &Session, version: ApiVersion, now_ms: i64) -> Vec<u8> {
        serde_json::to_vec(&SessionBody::new(session, version, now_ms)).expect("serialises")
    }

    fn written(session: &Session, version: ApiVersion, now_ms: i64) -> Vec<u8> {
        let mut out = Vec::new();
        write_session(&mut out, session, version, now_ms);
        out
    }

    fn seeded_sessions() -> Vec<Session> {
        let fixtures = crate::fixtures::Fixtures::embedded().expect("fixtures");
        let spec = crate::seed::SeedSpec {
            seed: 7,
            users: 20,
            sessions: 200,
            list_all: false,
        };
        let mut rng = crate::seed::instance_rng(7, b"json");
        let data = crate::seed::seed(&fixtures, spec, &mut rng, 1_764_000_000_000, &mut |_, _| {});
        data.sessions.iter().cloned().collect()
    }

    #[test]
    fn every_session_is_written_as_serde_writes_it_in_every_version_and_at_any_time() {
        let sessions = seeded_sessions();
        for now_ms in [1_764_000_000_000, 1_764_000_000_000 + 40 * 24 * 3600 * 1000] {
            for version in ApiVersion::ALL {
                for session in &sessions {
                    assert_eq!(
                        String::from_utf8(written(session, version, now_ms)),
                        String::from_utf8(serde_bytes(session, version, now_ms)),
                        "{} in {version:?}",
                        session.id
                    );
                }
            }
        }
    }

    #[test]
    fn strings_that_need_escaping_are_escaped_as_serde_escapes_them() {
        let mut session = seeded_sessions()
            .into_iter()
            .find(|session| session.latest_activity.is_some())
            .expect("a session with activity");
        let awkward: Arc<str> =
            Arc::from("Quote \" back\\slash \n\t\u{1} caf\u{e9} \u{1F600} </script>");
        session.latest_activity = Some(Arc::new(SessionActivity {
            device_type: Arc::clone(&awkward),
            is_mobile: true,
            browser_name: Arc::clone(&awkward),
            browser_version: Arc::from(""),
            ip_address: Arc::from("::1"),
            city: Arc::clone(&awkward),
            country: Arc::from("\u{7f}"),
        }));
        session.actor = Some(Arc::new(
            serde_json::json!({ "sub": "user_x", "note": awkward.as_ref() }),
        ));
        session.status = SessionStatus::Pending;
        session.tasks = Arc::from([SessionTask {
            key: Arc::clone(&awkward),
        }]);
        for version in ApiVersion::ALL {
            assert_eq!(
                String::from_utf8(written(&session, version, session.created_at)),
                String::from_utf8(serde_bytes(&session, version, session.created_at)),
            );
        }
    }

    #[test]
    fn a_page_is_an_array_or_data_with_its_total() {
        let owned: Vec<Session> = seeded_sessions().into_iter().take(3).collect();
        let sessions: Vec<&Session> = owned.iter().collect();
        let version = ApiVersion::V2021_02_05;
        let now_ms = 1_764_000_000_000;
        let bodies: Vec<SessionBody> = sessions
            .iter()
            .map(|session| SessionBody::new(session, version, now_ms))
            .collect();
        assert_eq!(
            list_body(&sessions, None, version, now_ms),
            serde_json::to_vec(&SessionList::Array(bodies.clone())).expect("serialises")
        );
        assert_eq!(
            list_body(&sessions, Some(42), version, now_ms),
            serde_json::to_vec(&SessionList::Paginated(PaginatedSessions {
                data: bodies,
                total_count: 42
            }))
            .expect("serialises")
        );
        assert_eq!(list_body(&[], None, version, now_ms), "[]");
    }
}
