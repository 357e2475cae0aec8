//! The `{session_id}` of the session operations' paths, read straight from the matched path:
//! most API requests carry one, and actix's `Path` reads it through serde.

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use percent_encoding::percent_decode_str;

use crate::error::ApiError;

/// The `{session_id}` path segment, percent-decoded as actix's `Path<String>` decodes it.
#[derive(Debug, Clone)]
pub struct SessionIdSegment(Segment);

#[derive(Debug, Clone)]
enum Segment {
    /// Read from the request's matched path when asked: a segment without `%` is as it was sent,
    /// and needs no copy of its own.
    AsSent(HttpRequest),
    Decoded(String),
}

impl FromRequest for SessionIdSegment {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let segment = as_sent(request);
        // Folded rather than `contains`, which for a short id goes a byte at a time.
        let escaped = segment
            .bytes()
            .fold(false, |found, byte| found | (byte == b'%'));
        let segment = if escaped {
            Segment::Decoded(percent_decode_str(segment).decode_utf8_lossy().into_owned())
        } else {
            Segment::AsSent(request.clone())
        };
        ready(Ok(Self(segment)))
    }
}

fn as_sent(request: &HttpRequest) -> &str {
    request.match_info().get("session_id").unwrap_or_default()
}

impl Deref for SessionIdSegment {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            Segment::AsSent(request) => as_sent(request),
            Segment::Decoded(segment) => segment,
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{test, web};

    use super::*;

    #[actix_web::test]
    async fn a_segment_reads_as_actix_path_reads_it() {
        for raw in [
            "sess_2AliceActiveZICgVFaEP1MWWEP",
            "sess_%41lice",
            "caf%C3%A9",
            "bad%zz%",
            "%FF%FE",
            "a+b",
            "",
        ] {
            let request = test::TestRequest::default()
                .param("session_id", raw)
                .to_http_request();
            let ours = SessionIdSegment::extract(&request).await.expect("read");
            let actix = web::Path::<String>::extract(&request).await.expect("read");
            assert_eq!(&*ours, actix.as_str(), "{raw}");
        }
    }
}
