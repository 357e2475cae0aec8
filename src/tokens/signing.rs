//! RSA signing keys: loading or generating them, signing RS256 tokens, verifying them, and
//! publishing the public half as a JWK or PEM.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::InstanceId;

/// Size of generated keys, as Clerk's.
const GENERATED_KEY_BITS: usize = 2048;

/// An RSA key pair, ready to sign and verify. The private half never leaves this type.
pub struct KeyMaterial {
    encoding: EncodingKey,
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

impl KeyMaterial {
    /// Reads a PEM private key, PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|error| KeyError(format!("not an RSA private key in PEM form: {error}")))?;
        Self::from_key(&key)
    }

    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Result<Self, KeyError> {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, GENERATED_KEY_BITS)
            .map_err(|error| KeyError(format!("cannot generate an RSA key: {error}")))?;
        Self::from_key(&key)
    }

    fn from_key(key: &RsaPrivateKey) -> Result<Self, KeyError> {
        let der = key
            .to_pkcs1_der()
            .map_err(|error| KeyError(format!("cannot encode the key: {error}")))?;
        let modulus = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let exponent = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&modulus, &exponent)
            .map_err(|error| KeyError(format!("cannot derive the public key: {error}")))?;
        let public_pem = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|error| KeyError(format!("cannot encode the public key: {error}")))?;
        Ok(Self {
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
            modulus,
            exponent,
            public_pem,
        })
    }
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

/// An instance's signing key: its key material under the instance's `kid`.
#[derive(Debug, Clone)]
pub struct SigningKey {
    kid: InstanceId,
    material: Arc<KeyMaterial>,
}

impl SigningKey {
    pub fn new(kid: InstanceId, material: Arc<KeyMaterial>) -> Self {
        Self { kid, material }
    }

    /// Signs `claims` as an RS256 JWT whose header names this key.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.to_string());
        header.typ = Some("JWT".to_owned());
        jsonwebtoken::encode(&header, claims, &self.material.encoding)
    }

    /// The claims of `token` if this key signed it (RS256, this `kid`) and it is within its
    /// lifetime, give or take `leeway_secs`.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        leeway_secs: u64,
    ) -> Result<T, InvalidToken> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|error| InvalidToken(format!("not a JWT: {error}")))?;
        if header.kid.as_deref() != Some(self.kid.to_string().as_str()) {
            return Err(InvalidToken(
                "the token was not signed by this instance".to_owned(),
            ));
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = leeway_secs;
        validation.validate_nbf = true;
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
