//! Serving HTTPS: a certificate chain and its key, read from PEM files, as a rustls server
//! configuration (aws-lc-rs underneath, HTTP/1.1 over TLS 1.2 or 1.3).

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The certificate or key cannot be used; the message names the file and the problem.
#[derive(Debug, thiserror::Error)]
#[error("TLS: {0}")]
pub struct TlsError(String);

/// A server configuration for the certificate chain in `certificate` and the key in `key`.
pub fn server_config(certificate: &Path, key_file: &Path) -> Result<ServerConfig, TlsError> {
    let chain = CertificateDer::pem_file_iter(certificate)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| TlsError(format!("{}: {error}", certificate.display())))?;
    if chain.is_empty() {
        return Err(TlsError(format!(
            "{}: no PEM certificate in it",
            certificate.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|error| TlsError(format!("{}: {error}", key_file.display())))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsError(error.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| {
            TlsError(format!(
                "{} and {} do not make a usable pair: {error}",
                certificate.display(),
                key_file.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
