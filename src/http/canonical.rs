//! The canonical error of each documented (operation, status): what `Prefer: code=<status>`
//! answers, and the example the OpenAPI document shows for that response.

use crate::error::{ApiError, ParamProblem};

/// A session id quoted when the request names none.
const EXAMPLE_SESSION_ID: &str = "sess_2AliceActiveZICgVFaEP1MWWEP";

/// The error `operation_id` answers with `status`, about `session_id` where it names one;
/// `None` for a success status or an operation that does not document `status`.
pub fn canonical_error(
    operation_id: &str,
    status: u16,
    session_id: Option<&str>,
) -> Option<ApiError> {
    let session_id = session_id.unwrap_or(EXAMPLE_SESSION_ID).to_owned();
    let session_not_found = ApiError::NotFound {
        resource: "Session",
        id: session_id,
    };
    Some(match (status, operation_id) {
        (400, "GetSessionList") => ApiError::MissingListFilter,
        (400, "createSession" | "CreateSessionToken" | "CreateSessionTokenFromTemplate") => {
            ApiError::MalformedBody("expected value at line 1 column 1".to_owned())
        }
        (400, "VerifySession") => ApiError::InvalidSessionToken("the token has expired".to_owned()),
        (400, _) => ApiError::InvalidApiVersion("1999-01-01".to_owned()),
        (401, _) => ApiError::MissingAuthorization,
        (404, "createSession") => ApiError::NotFound {
            resource: "User",
            id: "user_2NobodyHasThisId00000000000".to_owned(),
        },
        (404, _) => session_not_found,
        (410, _) => ApiError::Gone,
        (422, "GetSessionList") => ApiError::param(ParamProblem::invalid_value(
            "limit",
            "must be between 1 and 500",
        )),
        (422, "createSession") => ApiError::param(ParamProblem::missing("user_id")),
        (422, "VerifySession") => ApiError::param(ParamProblem::missing("token")),
        (422, _) => ApiError::param(ParamProblem::invalid_value(
            "expires_in_seconds",
            "must be between 30 and 315360000",
        )),
        (503, _) => ApiError::NotReady,
        _ => return None,
    })
}
