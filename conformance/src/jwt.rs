//! Verifying a JWT the way Clerk's SDKs do: the key chosen by `kid` from the instance's JWKS,
//! RS256 only, the signature checked, then `exp`, `nbf` and `iat` against the local clock with
//! some skew.

use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::Value;

/// A token that passed verification.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub header: Header,
    pub claims: Value,
}

/// Why a token failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenProblem {
    #[error("not a JWT: {0}")]
    Malformed(String),
    #[error("header alg is {0}, not RS256")]
    WrongAlgorithm(String),
    #[error("header typ is {0:?}, not JWT")]
    WrongType(Option<String>),
    #[error("header has no kid")]
    NoKid,
    #[error("no key with kid {0} in the JWKS")]
    UnknownKid(String),
    #[error("the JWKS key for {0} is not a usable RSA key")]
    BadKey(String),
    #[error("signature or time claims rejected: {0}")]
    Rejected(String),
    #[error("iat {iat} is in the future (now {now})")]
    IssuedInTheFuture { iat: i64, now: i64 },
}

/// Verifies `token` against `jwks` (a `{"keys": [...]}` document) at `now_secs`, allowing
/// `skew_secs` of clock difference as the SDKs do (5 s by default there).
pub fn verify(
    token: &str,
    jwks: &Value,
    now_secs: i64,
    skew_secs: u64,
) -> Result<VerifiedToken, TokenProblem> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|error| TokenProblem::Malformed(error.to_string()))?;
    if header.alg != Algorithm::RS256 {
        return Err(TokenProblem::WrongAlgorithm(format!("{:?}", header.alg)));
    }
    if header.typ.as_deref() != Some("JWT") {
        return Err(TokenProblem::WrongType(header.typ.clone()));
    }
    let kid = header.kid.clone().ok_or(TokenProblem::NoKid)?;
    let key = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|key| key["kid"] == kid.as_str())
        .ok_or_else(|| TokenProblem::UnknownKid(kid.clone()))?;
    let (Some(n), Some(e)) = (key["n"].as_str(), key["e"].as_str()) else {
        return Err(TokenProblem::BadKey(kid));
    };
    if key["kty"] != "RSA" {
        return Err(TokenProblem::BadKey(kid));
    }
    let decoding =
        DecodingKey::from_rsa_components(n, e).map_err(|_| TokenProblem::BadKey(kid.clone()))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = skew_secs;
    validation.validate_nbf = true;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub"]);
    let claims = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .map_err(|error| TokenProblem::Rejected(error.to_string()))?
        .claims;
    let iat = claims["iat"].as_i64().unwrap_or(i64::MAX);
    if iat > now_secs.saturating_add_unsigned(skew_secs) {
        return Err(TokenProblem::IssuedInTheFuture { iat, now: now_secs });
    }
    Ok(VerifiedToken { header, claims })
}

/// Now, in Unix seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
