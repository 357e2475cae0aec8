//! RSA signing keys: loading or generating them, signing RS256 tokens, verifying them, and
//! publishing the public half as a JWK or PEM.
//!
//! Keys and signatures are aws-lc-rs's (constant-time, OpenSSL-class speed). Each key is parsed
//! once, when its instance is made, and every token is signed with that parsed key: re-parsing a
//! PEM or DER key on every call would cost more than the signature itself.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rustls::pki_types::pem::{PemObject as _, SectionKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::InstanceId;

/// Size of generated keys, as Clerk's.
const GENERATED_KEY_SIZE: KeySize = KeySize::Rsa2048;

/// An RSA key pair, ready to sign and verify. The private half never leaves this type.
pub struct KeyMaterial {
    key_pair: KeyPair,
    decoding: DecodingKey,
    modulus: String,
    exponent: String,
    public_pem: String,
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyMaterial")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

/// The key could not be read or made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

/// A token could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot sign the token: {0}")]
pub struct SigningError(String);

impl KeyMaterial {
    /// Reads a PEM private key, PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let not_rsa =
            |detail: String| KeyError(format!("not an RSA private key in PEM form: {detail}"));
        let (kind, der) = <(SectionKind, Vec<u8>)>::from_pem_slice(pem.as_bytes())
            .map_err(|error| not_rsa(error.to_string()))?;
        let key_pair = match kind {
            SectionKind::PrivateKey => KeyPair::from_pkcs8(&der),
            SectionKind::RsaPrivateKey => KeyPair::from_der(&der),
            other => return Err(not_rsa(format!("a {other:?} section"))),
        }
        .map_err(|error| not_rsa(error.to_string()))?;
        Self::from_key_pair(key_pair)
    }

    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Result<Self, KeyError> {
        let key_pair = KeyPair::generate(GENERATED_KEY_SIZE)
            .map_err(|error| KeyError(format!("cannot generate an RSA key: {error}")))?;
        Self::from_key_pair(key_pair)
    }

    fn from_key_pair(key_pair: KeyPair) -> Result<Self, KeyError> {
        let public = key_pair.public_key();
        let modulus = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let exponent = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        let decoding = DecodingKey::from_rsa_components(&modulus, &exponent)
            .map_err(|error| KeyError(format!("cannot derive the public key: {error}")))?;
        let spki = public
            .as_der()
            .map_err(|error| KeyError(format!("cannot encode the public key: {error}")))?;
        Ok(Self {
            public_pem: pem("PUBLIC KEY", spki.as_ref()),
            key_pair,
            decoding,
            modulus,
            exponent,
        })
    }

    /// The RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        let mut signature = vec![0; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|error| SigningError(error.to_string()))?;
        Ok(signature)
    }
}

/// `der` as a PEM section with 64-character lines.
fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        text.push_str(&String::from_utf8_lossy(line));
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

/// A public key as a JSON Web Key, the way `/v1/jwks` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Jwk {
    #[schema(example = "sig")]
    pub r#use: &'static str,
    #[schema(example = "RSA")]
    pub kty: &'static str,
    /// The instance id, which is also the `kid` of every token the instance signs.
    #[schema(example = "ins_2Kq8mNzXv4pL7rT1sW9yB3cE5fH")]
    pub kid: String,
    #[schema(example = "RS256")]
    pub alg: &'static str,
    /// The modulus, base64url without padding.
    pub n: String,
    /// The public exponent, base64url without padding.
    #[schema(example = "AQAB")]
    pub e: String,
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidToken(pub String);

/// The JOSE header of every token an instance signs.
#[derive(Serialize)]
struct JoseHeader<'a> {
    typ: &'static str,
    alg: &'static str,
    kid: &'a str,
}

/// An instance's signing key: its key material under the instance's `kid`.
#[derive(Debug, Clone)]
pub struct SigningKey {
    kid: InstanceId,
    material: Arc<KeyMaterial>,
    /// The token header, base64url: the same for every token of the instance.
    encoded_header: String,
}

impl SigningKey {
    pub fn new(kid: InstanceId, material: Arc<KeyMaterial>) -> Self {
        let header = JoseHeader {
            typ: "JWT",
            alg: "RS256",
            kid: &kid.to_string(),
        };
        // A struct of three strings always serialises.
        let header = serde_json::to_vec(&header).unwrap_or_default();
        Self {
            encoded_header: URL_SAFE_NO_PAD.encode(header),
            kid,
            material,
        }
    }

    /// Signs `claims` as an RS256 JWT (compact JWS: header, claims and signature, each
    /// base64url) whose header names this key.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, SigningError> {
        let claims = serde_json::to_vec(claims).map_err(|error| SigningError(error.to_string()))?;
        let mut token = self.encoded_header.clone();
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        let signature = self.material.sign(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }

    /// The claims of `token` if this key signed it (RS256, this `kid`) and it is within its
    /// lifetime, give or take `leeway_secs`.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        leeway_secs: u64,
    ) -> Result<T, InvalidToken> {
        self.decode(token, Some(leeway_secs))
    }

    /// The claims of `token` if this key signed it (RS256, this `kid`), whatever its lifetime:
    /// a refresh presents a token that has expired.
    pub fn verify_signature<T: DeserializeOwned>(&self, token: &str) -> Result<T, InvalidToken> {
        self.decode(token, None)
    }

    /// Checks the signature, and the lifetime give or take `leeway_secs` when that is given.
    fn decode<T: DeserializeOwned>(
        &self,
        token: &str,
        leeway_secs: Option<u64>,
    ) -> Result<T, InvalidToken> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|error| InvalidToken(format!("not a JWT: {error}")))?;
        if header.kid.as_deref() != Some(self.kid.to_string().as_str()) {
            return Err(InvalidToken(
                "the token was not signed by this instance".to_owned(),
            ));
        }
        let mut validation = Validation::new(Algorithm::RS256);
        match leeway_secs {
            Some(leeway) => {
                validation.leeway = leeway;
                validation.validate_nbf = true;
            }
            None => {
                validation.validate_exp = false;
                validation.required_spec_claims.clear();
            }
        }
        validation.validate_aud = false;
        jsonwebtoken::decode::<T>(token, &self.material.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|error| InvalidToken(error.to_string()))
    }

    pub fn jwk(&self) -> Jwk {
        Jwk {
            r#use: "sig",
            kty: "RSA",
            kid: self.kid.to_string(),
            alg: "RS256",
            n: self.material.modulus.clone(),
            e: self.material.exponent.clone(),
        }
    }

    /// The public key in PEM (SPKI) form, for networkless verification with a static key.
    pub fn public_pem(&self) -> &str {
        &self.material.public_pem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE_KEY: &str = include_str!("../../fixtures/signing_key.pem");

    fn kid() -> InstanceId {
        InstanceId::parse("ins_2Mmt04TqS3ajF885oOp3kP5GFY7").expect("an instance id")
    }

    #[test]
    fn a_signed_token_has_clerks_header_and_verifies_with_the_published_key() {
        let key = SigningKey::new(
            kid(),
            Arc::new(KeyMaterial::from_pem(FIXTURE_KEY).expect("key")),
        );
        let token = key
            .sign(&serde_json::json!({"sub": "user_1", "exp": 4_000_000_000_u64}))
            .expect("signed");
        let header = jsonwebtoken::decode_header(&token).expect("a JWT header");
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(
            header.kid.as_deref(),
            Some("ins_2Mmt04TqS3ajF885oOp3kP5GFY7")
        );

        let from_pem = DecodingKey::from_rsa_pem(key.public_pem().as_bytes()).expect("PEM");
        let jwk = key.jwk();
        let from_jwk = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).expect("JWK");
        for decoding in [from_pem, from_jwk] {
            let claims = jsonwebtoken::decode::<serde_json::Value>(
                &token,
                &decoding,
                &Validation::new(Algorithm::RS256),
            )
            .expect("verifies");
            assert_eq!(claims.claims["sub"], "user_1");
        }
        let verified: serde_json::Value = key.verify(&token, 0).expect("verifies");
        assert_eq!(verified["sub"], "user_1");
    }

    #[test]
    fn a_token_signed_by_another_key_does_not_verify() {
        let fixture = SigningKey::new(
            kid(),
            Arc::new(KeyMaterial::from_pem(FIXTURE_KEY).expect("key")),
        );
        let fresh = SigningKey::new(kid(), Arc::new(KeyMaterial::generate().expect("generated")));
        let token = fresh
            .sign(&serde_json::json!({"exp": 4_000_000_000_u64}))
            .expect("signed");
        assert!(fixture.verify::<serde_json::Value>(&token, 0).is_err());
        assert!(fresh.verify::<serde_json::Value>(&token, 0).is_ok());
    }

    #[test]
    fn pkcs1_and_pkcs8_keys_load_and_anything_else_is_refused() {
        let pkcs8 = KeyMaterial::from_pem(FIXTURE_KEY).expect("the fixture key, PKCS#8");
        let pkcs1 = KeyMaterial::from_pem(include_str!("../../tests/data/pkcs1_test_key.pem"))
            .expect("a PKCS#1 key");
        assert_ne!(pkcs1.modulus, pkcs8.modulus);
        assert!(KeyMaterial::from_pem("not a key").is_err());
        assert!(KeyMaterial::from_pem(&pkcs8.public_pem).is_err());
    }
}
