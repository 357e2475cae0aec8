//! Operations: each one's typed identity, the facts its handler declares next to it (its
//! canonical errors), and the facts the generated document holds (method, path, documented
//! statuses, deprecation). A route carries its [`Operation`] into the stages through
//! [`Operation::stages`], so registering a handler is all it takes for them to know it.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::HttpRequest;
use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::OpenApi;

pub use crate::domain::OperationId;
use crate::error::{ApiError, quoted};

/// The path parameters of the request an error is about: none for the document's examples,
/// which quote each operation's example values instead.
#[derive(Debug, Clone, Copy)]
pub struct PathParams<'a>(Option<&'a HttpRequest>);

impl<'a> PathParams<'a> {
    /// The parameters the router matched for `request`.
    pub fn of(request: &'a HttpRequest) -> Self {
        Self(Some(request))
    }

    /// No request: each error quotes its example.
    pub const EXAMPLE: Self = Self(None);

    /// The parameter `name` as given, or `example` when there is no request (or no such
    /// parameter), [`quoted`] as errors quote it.
    pub fn get_or(&self, name: &str, example: &'a str) -> String {
        quoted(
            self.0
                .and_then(|request| request.match_info().get(name))
                .unwrap_or(example),
        )
    }
}

/// What an operation's handler declares next to it: its id, and the error it answers for each
/// documented error status (what `Prefer: code=<status>` returns and the document shows).
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    pub id: OperationId,
    /// The error for `status`, about the request's path parameters; `None` for a status the
    /// operation does not document.
    pub canonical_error: fn(status: u16, params: PathParams<'_>) -> Option<ApiError>,
}

impl Operation {
    /// The operation's canonical error for `status`, about `params`.
    pub fn error_for(&self, status: u16, params: PathParams<'_>) -> Option<ApiError> {
        (self.canonical_error)(status, params)
    }

    /// What the generated document says of this operation.
    pub fn documented(&self) -> &'static Documented {
        documented(self.id)
    }
}

/// What the generated document says of one operation.
#[derive(Debug)]
pub struct Documented {
    pub method: Method,
    /// The documented statuses, ascending.
    pub statuses: Vec<u16>,
    pub deprecated: bool,
    /// The documented path (such as `/v1/sessions/{session_id}`) as the router reads it, for
    /// the methods a path allows when no route took it.
    resource: ResourceDef,
}

impl Documented {
    fn new(method: Method, path: &str, operation: &utoipa::openapi::path::Operation) -> Self {
        let mut statuses: Vec<u16> = operation
            .responses
            .responses
            .keys()
            .filter_map(|status| status.parse().ok())
            .collect();
        statuses.sort_unstable();
        Self {
            method,
            statuses,
            deprecated: matches!(
                operation.deprecated,
                Some(utoipa::openapi::Deprecated::True)
            ),
            resource: ResourceDef::new(path),
        }
    }
}

/// Every documented operation, read once from the generated document.
static DOCUMENTED: LazyLock<HashMap<OperationId, Documented>> =
    LazyLock::new(|| documented_operations(crate::app::openapi::document()));

/// What the document says of `id`. Every [`OperationId`] is documented: a unit test holds the
/// enum and the document to each other.
pub fn documented(id: OperationId) -> &'static Documented {
    static UNDOCUMENTED: LazyLock<Documented> = LazyLock::new(|| Documented {
        method: Method::GET,
        statuses: Vec::new(),
        deprecated: false,
        resource: ResourceDef::new(""),
    });
    DOCUMENTED.get(&id).unwrap_or(&UNDOCUMENTED)
}

/// The methods documented for `path`; empty when no documented path is `path`. A documented
/// path without parameters that is `path` (`/v1/users/count`) is the one meant, rather than one
/// whose parameter would take it (`/v1/users/{user_id}`).
pub fn allowed_methods(path: &str) -> Vec<Method> {
    let literal = DOCUMENTED
        .values()
        .any(|documented| documented.resource.pattern() == Some(path));
    let mut methods: Vec<(OperationId, Method)> = DOCUMENTED
        .iter()
        .filter(|(_, documented)| documented.resource.is_match(path))
        .filter(|(_, documented)| !literal || documented.resource.pattern() == Some(path))
        .map(|(id, documented)| (*id, documented.method.clone()))
        .collect();
    methods.sort_by_key(|(id, _)| *id);
    let mut allowed: Vec<Method> = Vec::new();
    for (_, method) in methods {
        if !allowed.contains(&method) {
            allowed.push(method);
        }
    }
    allowed
}

/// The documented operation a request no route took most likely meant, as `METHOD /path`:
/// the documented path whose segments best match the request's (a literal the same scores 2,
/// one a typo or two away 1, a parameter 1), the request's method breaking ties. `None` when
/// nothing documented is close.
pub fn closest(method: &Method, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    DOCUMENTED
        .iter()
        .filter_map(|(id, documented)| {
            let template = documented.resource.pattern()?;
            let wanted: Vec<&str> = template.trim_matches('/').split('/').collect();
            if wanted.len() != segments.len() || !id.is_api() {
                return None;
            }
            let mut score = 0;
            for (wanted, given) in wanted.iter().zip(&segments) {
                score += if wanted.starts_with('{') {
                    1
                } else if wanted == given {
                    2
                } else if edit_distance(wanted, given) <= 2 {
                    1
                } else {
                    return None;
                };
            }
            let same_method = documented.method == *method;
            Some((
                (score, same_method, std::cmp::Reverse(*id)),
                documented,
                template,
            ))
        })
        .max_by_key(|(rank, _, _)| *rank)
        .map(|(_, documented, template)| format!("{} {template}", documented.method))
}

/// How many single-character edits turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, b) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a != *b);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The operations of `document`, by id; operations whose id is not an [`OperationId`] are left
/// out (a unit test says there are none).
fn documented_operations(document: &OpenApi) -> HashMap<OperationId, Documented> {
    document
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [
                (Method::GET, &item.get),
                (Method::PUT, &item.put),
                (Method::POST, &item.post),
                (Method::DELETE, &item.delete),
                (Method::PATCH, &item.patch),
            ]
            .into_iter()
            .filter_map(move |(method, operation)| {
                let operation = operation.as_ref()?;
                let id = OperationId::parse(operation.operation_id.as_deref()?)?;
                Some((id, Documented::new(method, path, operation)))
            })
        })
        .collect()
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
    use crate::http::routes::operations;

    #[test]
    fn every_operation_id_is_documented_once_and_every_documented_operation_has_an_id() {
        let document = crate::app::openapi::document();
        let mut seen = Vec::new();
        for item in document.paths.paths.values() {
            for operation in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                let id = operation.operation_id.as_deref().unwrap_or_default();
                let parsed = OperationId::parse(id);
                assert!(
                    parsed.is_some(),
                    "{id} is documented but has no OperationId"
                );
                seen.extend(parsed);
            }
        }
        seen.sort();
        let mut all = OperationId::ALL.to_vec();
        all.sort();
        assert_eq!(seen, all, "each OperationId is documented exactly once");
    }

    #[test]
    fn clerks_operations_are_the_ones_under_v1() {
        for id in OperationId::ALL {
            assert_eq!(
                id.is_api(),
                crate::http::is_api_path(documented(*id).resource.pattern().unwrap_or_default()),
                "{id}"
            );
        }
    }

    #[test]
    fn every_documented_error_has_a_canonical_error_its_operation_declares() {
        let mut missing = Vec::new();
        for id in OperationId::ALL {
            let declared = operations().find(|operation| operation.id == *id);
            for status in documented(*id).statuses.iter().filter(|s| **s >= 400) {
                match declared
                    .and_then(|operation| operation.error_for(*status, PathParams::EXAMPLE))
                {
                    Some(error) if error.status_code().as_u16() == *status => {}
                    other => missing.push(format!("{id} {status}: {other:?}")),
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }

    #[test]
    fn every_operation_is_declared_once() {
        let mut declared: Vec<OperationId> = operations().map(|operation| operation.id).collect();
        declared.sort();
        let mut all = OperationId::ALL.to_vec();
        all.sort();
        assert_eq!(declared, all);
    }

    #[test]
    fn a_near_miss_names_the_documented_operation_it_most_likely_meant() {
        assert_eq!(
            closest(&Method::GET, "/v1/sesions/sess_123").as_deref(),
            Some("GET /v1/sessions/{session_id}")
        );
        assert_eq!(
            closest(&Method::POST, "/v1/sessions/sess_123/revok").as_deref(),
            Some("POST /v1/sessions/{session_id}/revoke")
        );
        assert_eq!(closest(&Method::GET, "/v1/nothing/like/this/at/all"), None);
        assert_eq!(edit_distance("sessions", "sesions"), 1);
    }

    #[test]
    fn a_path_allows_the_methods_documented_for_it_and_no_other() {
        assert_eq!(allowed_methods("/v1/sessions"), [Method::GET, Method::POST]);
        assert_eq!(allowed_methods("/v1/sessions/sess_123"), [Method::GET]);
        assert!(allowed_methods("/v1/sessions/").is_empty());
        assert!(allowed_methods("/v1/sessions/sess_123/nothing").is_empty());
        assert!(allowed_methods("/v2/sessions").is_empty());
        // Two documented paths take `/v1/users/count`; the one without parameters is the one
        // meant.
        assert_eq!(allowed_methods("/v1/users/count"), [Method::GET]);
    }
}
