//! Canonical errors: the error an operation answers for each of its documented error statuses,
//! which `Prefer: code=<status>` returns and the OpenAPI document shows as that response's
//! example. Each operation declares its own next to its handler (a `CANONICAL_ERRORS` list in
//! its routes module), and the route table carries each operation's declaration, so a new
//! operation has none until it declares them, and never borrows another's.

use crate::error::ApiError;

/// A session id quoted when the request names none.
pub const EXAMPLE_SESSION_ID: &str = "sess_2AliceActiveZICgVFaEP1MWWEP";

/// The canonical errors of one operation.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalErrors {
    pub operation_id: &'static str,
    /// The error the operation answers with `status`, about the session `session_id` where the
    /// operation names one; `None` for a status it does not document.
    pub error: fn(status: u16, session_id: &str) -> Option<ApiError>,
}

impl CanonicalErrors {
    /// The error for `status`, about `session_id` where the operation names one.
    pub fn for_status(&self, status: u16, session_id: Option<&str>) -> Option<ApiError> {
        (self.error)(status, session_id.unwrap_or(EXAMPLE_SESSION_ID))
    }
}

/// 400 for an API version that does not exist.
pub fn unknown_api_version() -> ApiError {
    ApiError::InvalidApiVersion("1999-01-01".to_owned())
}

/// 400 for a body that is not JSON.
pub fn malformed_body() -> ApiError {
    ApiError::MalformedBody("expected value at line 1 column 1".to_owned())
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError as _;

    use super::*;
    use crate::http::routes::canonical_errors;

    fn canonical_error(operation_id: &str, status: u16) -> Option<ApiError> {
        canonical_errors()
            .find(|declared| declared.operation_id == operation_id)?
            .for_status(status, None)
    }

    /// `(operation id, documented statuses)` of every operation of the generated document.
    fn documented() -> Vec<(String, Vec<u16>)> {
        let document = crate::openapi::document();
        document
            .paths
            .paths
            .values()
            .flat_map(|item| [&item.get, &item.put, &item.post, &item.delete, &item.patch])
            .flatten()
            .map(|operation| {
                let statuses = operation
                    .responses
                    .responses
                    .keys()
                    .filter_map(|status| status.parse().ok())
                    .collect();
                (operation.operation_id.clone().unwrap_or_default(), statuses)
            })
            .collect()
    }

    #[test]
    fn every_documented_error_has_a_canonical_error_its_operation_declares() {
        let mut missing = Vec::new();
        for (operation_id, statuses) in documented() {
            for status in statuses.into_iter().filter(|status| *status >= 400) {
                match canonical_error(&operation_id, status) {
                    Some(error) if error.status_code().as_u16() == status => {}
                    other => missing.push(format!("{operation_id} {status}: {other:?}")),
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }

    #[test]
    fn every_declaration_names_a_documented_operation_once() {
        let documented: Vec<String> = documented().into_iter().map(|(id, _)| id).collect();
        let mut seen = std::collections::HashSet::new();
        for operation_id in canonical_errors().map(|declared| declared.operation_id) {
            assert!(
                documented.iter().any(|id| id == operation_id),
                "{operation_id} is not documented"
            );
            assert!(seen.insert(operation_id), "{operation_id} declared twice");
        }
    }
}
