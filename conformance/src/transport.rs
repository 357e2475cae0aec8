//! How the suite reaches a target: the HTTP client (HTTPS with rustls, the system's trust store
//! plus any private CA, proxies from the environment) and one-line reasons for a connection that
//! failed, naming the TLS cause where there is one.

use std::error::Error as _;
use std::time::Duration;

use rustls::{CertificateError, Error as TlsError};

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
/// machine is trusted without flags. A private CA adds to that store. `HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lower-case forms) are honoured.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    timeout: Duration,
    ca_certificates: Vec<reqwest::Certificate>,
}

impl ClientSettings {
    /// Every request times out after `timeout`; `ca_certificates` (PEM, one or more
    /// certificates) is a private CA to trust.
    pub fn new(timeout: Duration, ca_certificates: Option<&[u8]>) -> Result<Self, String> {
        let ca_certificates = match ca_certificates {
            Some(pem) => {
                let certificates = reqwest::Certificate::from_pem_bundle(pem)
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
        let mut builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if !self.ca_certificates.is_empty() {
            builder = builder.tls_certs_merge(self.ca_certificates.clone());
        }
        builder
            .build()
            .map_err(|error| format!("cannot build an HTTP client: {error}"))
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
