//! How the suite reaches a target: the HTTP client (HTTPS with rustls, the system's trust store
//! plus any private CA, proxies from the environment) and one-line reasons for a connection that
//! failed, naming the TLS cause where there is one.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, SignatureScheme};

/// The HTTP client the suite sends every request with: [`ClientSettings::new`], then
/// [`ClientSettings::build`].
pub fn http_client(
    timeout: Duration,
    ca_certificates: Option<&[u8]>,
) -> Result<reqwest::Client, String> {
    ClientSettings::new(timeout, ca_certificates)?.build()
}

/// What the suite's HTTP clients are built from, kept to build several alike: a pooled connection
/// is driven by a task of the runtime that opened it and dies with that runtime, so code that runs
/// on several runtimes (the watch's workers and its observer) needs a client for each.
///
/// Server certificates are checked by `rustls-platform-verifier`: against the operating
/// system's trust store, as curl and browsers check them, so a corporate CA installed on the
/// machine is trusted without flags. A private CA adds to that store, and a server that
/// presents exactly one of the given certificates is trusted whatever that certificate's CA
/// flag (pinned, as curl's `--cacert` and Python's requests accept the self-signed certificate
/// `openssl req -x509` makes). `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and
/// their lower-case forms) are honoured.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    timeout: Duration,
    /// The certificates given, in DER; none for the system's trust store alone.
    ca_certificates: Vec<CertificateDer<'static>>,
}

impl ClientSettings {
    /// Every request times out after `timeout`; `ca_certificates` (PEM, one or more
    /// certificates) is a private CA to trust.
    pub fn new(timeout: Duration, ca_certificates: Option<&[u8]>) -> Result<Self, String> {
        let ca_certificates = match ca_certificates {
            Some(pem) => {
                let certificates = CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|error| format!("not a PEM certificate: {error}"))?;
                if certificates.is_empty() {
                    return Err("no PEM certificate in it".to_owned());
                }
                certificates
            }
            None => Vec::new(),
        };
        Ok(Self {
            timeout,
            ca_certificates,
        })
    }

    /// A new client with its own connection pool.
    pub fn build(&self) -> Result<reqwest::Client, String> {
        let builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        let builder = if self.ca_certificates.is_empty() {
            builder
        } else {
            builder.tls_backend_preconfigured(self.tls_config()?)
        };
        builder
            .build()
            .map_err(|error| format!("cannot build an HTTP client: {error}"))
    }

    /// TLS that trusts the system's store plus the given certificates as CAs, and the given
    /// certificates themselves when a server presents one of them.
    fn tls_config(&self) -> Result<rustls::ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let trusted = rustls_platform_verifier::Verifier::new_with_extra_roots(
            self.ca_certificates.clone(),
            Arc::clone(&provider),
        )
        .map_err(|error| format!("cannot read the certificates: {error}"))?;
        let verifier = PinnedOrTrusted {
            pinned: self.ca_certificates.clone(),
            trusted,
        };
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| format!("cannot set up TLS: {error}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth())
    }
}

/// Trusts a server certificate that is exactly one of `pinned`, and otherwise what `trusted`
/// trusts. The handshake's signatures are checked the same way for both.
#[derive(Debug)]
struct PinnedOrTrusted {
    pinned: Vec<CertificateDer<'static>>,
    trusted: rustls_platform_verifier::Verifier,
}

impl ServerCertVerifier for PinnedOrTrusted {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        if self
            .pinned
            .iter()
            .any(|pinned| pinned.as_ref() == end_entity.as_ref())
        {
            return Ok(ServerCertVerified::assertion());
        }
        self.trusted
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.trusted
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.trusted
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.trusted.supported_verify_schemes()
    }
}

/// Why a request got no answer, in one line: the TLS cause when the handshake failed, else the
/// client's own words with their causes.
pub fn failure_reason(error: &reqwest::Error) -> String {
    if let Some(tls) = tls_cause(error) {
        return tls_reason(tls);
    }
    let mut reason = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !reason.contains(&text) {
            reason.push_str(": ");
            reason.push_str(&text);
        }
        source = cause.source();
    }
    reason
}

/// The rustls error somewhere in `error`'s causes. An `io::Error` hides the error it wraps from
/// `source()`, so it is opened by hand.
fn tls_cause(error: &reqwest::Error) -> Option<&TlsError> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(current) = cause {
        if let Some(tls) = current.downcast_ref::<TlsError>() {
            return Some(tls);
        }
        cause = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    None
}

fn tls_reason(error: &TlsError) -> String {
    match error {
        TlsError::InvalidCertificate(certificate) => match certificate {
            CertificateError::UnknownIssuer => "TLS: the server's certificate is not trusted \
                (issued by an unknown authority); for a private CA pass --ca-cert FILE"
                .to_owned(),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "TLS: the server's certificate does not name this host (name mismatch)".to_owned()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "TLS: the server's certificate has expired".to_owned()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "TLS: the server's certificate is not valid yet".to_owned()
            }
            CertificateError::Revoked => "TLS: the server's certificate is revoked".to_owned(),
            other => format!("TLS: the server's certificate is not accepted: {other:?}"),
        },
        TlsError::AlertReceived(alert) => {
            format!("TLS: the server refused the handshake (alert {alert:?})")
        }
        TlsError::InvalidMessage(_) => {
            "TLS: the server did not answer in TLS (is it plain http:// ?)".to_owned()
        }
        other => format!("TLS: the handshake failed: {other}"),
    }
}
