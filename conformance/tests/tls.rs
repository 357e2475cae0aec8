//! HTTPS end to end: the mock serving a throwaway certificate, the suite checking it with
//! `--ca-cert`, through an `HTTPS_PROXY`, and the one-line error for each way TLS can fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clerk_backend_mock::Settings;
use common::{spawn_mock, spawn_mock_with};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "sk_test_conformance_tls_secret_value";
const ALICE: &str = "user_2AlicexBGaRy7HSnjHcaZabMn26";

/// A folder of its own for one test's PEM files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "clerk-conformance-tls-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The parameters of a certificate for `names` that is marked a CA.
fn ca_params(names: &[&str], common_name: &str) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
    let mut params = CertificateParams::new(names).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params
}

/// Writes `cert.pem` and `key.pem` into `dir` and returns their paths.
fn write_pair(dir: &Path, certificate: &rcgen::Certificate, key: &KeyPair) -> (PathBuf, PathBuf) {
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, certificate.pem()).expect("cert written");
    std::fs::write(&key_path, key.serialize_pem()).expect("key written");
    (cert_path, key_path)
}

/// A private CA: its certificate (PEM) and what signs with it.
fn certificate_authority() -> (String, Issuer<'static, KeyPair>) {
    let params = ca_params(&[], "clerk-conformance test CA");
    let key = KeyPair::generate().expect("CA key");
    let certificate = params.self_signed(&key).expect("CA certificate");
    (certificate.pem(), Issuer::new(params, key))
}

/// A server certificate for `names`, signed by `issuer` (self-signed without one); writes
/// `cert.pem` and `key.pem` into `dir` and returns their paths.
fn server_certificate(
    dir: &Path,
    names: &[&str],
    issuer: Option<&Issuer<'static, KeyPair>>,
) -> (PathBuf, PathBuf) {
    let params = CertificateParams::new(
        names
            .iter()
            .map(|name| (*name).to_owned())
            .collect::<Vec<_>>(),
    )
    .expect("server params");
    let key = KeyPair::generate().expect("server key");
    let certificate = match issuer {
        Some(issuer) => params.signed_by(&key, issuer),
        None => params.self_signed(&key),
    }
    .expect("server certificate");
    write_pair(dir, &certificate, &key)
}

/// The mock over HTTPS with `cert` and `key`; its `https://127.0.0.1:port`.
async fn spawn_https_mock(cert: PathBuf, key: PathBuf) -> String {
    let address = spawn_mock_with(Settings {
        secret_keys: vec![KEY.to_owned()],
        tls_cert: Some(cert),
        tls_key: Some(key),
        ..Settings::for_tests()
    })
    .await;
    assert!(address.starts_with("https://"), "{address}");
    address
}

/// Runs `clerk-conformance` with `arguments` and the test key, with no proxy from the
/// environment unless `proxy` names one.
async fn conformance(arguments: Vec<String>, proxy: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clerk-conformance"));
        command.args(&arguments).env("CLERK_SECRET_KEY", KEY);
        for variable in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            command.env_remove(variable);
        }
        if let Some(proxy) = proxy {
            command.env("HTTPS_PROXY", proxy);
        }
        command.output().expect("runs")
    })
    .await
    .expect("joins")
}

fn arguments(address: &str, extra: &[&str]) -> Vec<String> {
    ["--base-url", address, "--user-id", ALICE]
        .iter()
        .chain(extra)
        .map(|argument| (*argument).to_owned())
        .collect()
}

/// Asserts a run that could not connect: exit 3 and one line on stderr that says `cause`.
fn assert_unreachable_with(output: &Output, cause: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(cause), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_check_passes_against_the_mock_over_https_with_its_private_ca() {
    let dir = scratch("trusted");
    let (ca_pem, issuer) = certificate_authority();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, ca_pem).expect("CA written");
    let (cert, key) = server_certificate(&dir, &["localhost", "127.0.0.1"], Some(&issuer));
    let address = spawn_https_mock(cert, key).await;

    let ca = ca.display().to_string();
    let output = conformance(
        arguments(&address, &["--ca-cert", &ca, "--allow-mutations"]),
        None,
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains(" 0 failed, 0 skipped"), "{stdout}");
    std::fs::remove_dir_all(dir).ok();
}

/// The certificate people make with `openssl req -x509 -newkey rsa:2048 -nodes -subj
/// /CN=localhost -addext subjectAltName=DNS:localhost`: self-signed and marked a CA.
#[tokio::test(flavor = "multi_thread")]
async fn every_check_passes_with_the_servers_own_self_signed_ca_certificate_pinned() {
    let dir = scratch("pinned");
    let key = KeyPair::generate().expect("key");
    let certificate = ca_params(&["localhost", "127.0.0.1"], "localhost")
        .self_signed(&key)
        .expect("certificate");
    let (cert, key_path) = write_pair(&dir, &certificate, &key);
    let address = spawn_https_mock(cert.clone(), key_path).await;

    let cert = cert.display().to_string();
    let output = conformance(arguments(&address, &["--ca-cert", &cert]), None).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_is_named_in_one_line_and_exits_3() {
    let dir = scratch("untrusted");
    let (cert, key) = server_certificate(&dir, &["127.0.0.1"], None);
    let address = spawn_https_mock(cert, key).await;

    let output = conformance(arguments(&address, &[]), None).await;
    assert_unreachable_with(&output, "certificate is not trusted");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_for_another_name_is_a_name_mismatch_and_exits_3() {
    let dir = scratch("mismatch");
    let (ca_pem, issuer) = certificate_authority();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, ca_pem).expect("CA written");
    let (cert, key) = server_certificate(&dir, &["mock.example.com"], Some(&issuer));
    let address = spawn_https_mock(cert, key).await;

    let ca = ca.display().to_string();
    let output = conformance(arguments(&address, &["--ca-cert", &ca]), None).await;
    assert_unreachable_with(&output, "name mismatch");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn https_to_a_plain_http_server_says_it_did_not_answer_in_tls() {
    let address = spawn_mock(&[KEY]).await.replace("http://", "https://");
    let output = conformance(arguments(&address, &[]), None).await;
    assert_unreachable_with(&output, "did not answer in TLS");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ca_file_without_a_certificate_is_a_usage_error() {
    let dir = scratch("bad-ca");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, "not a certificate\n").expect("written");
    let ca = ca.display().to_string();
    let output = conformance(arguments("https://127.0.0.1:9", &["--ca-cert", &ca]), None).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--ca-cert"), "{stderr}");
    std::fs::remove_dir_all(dir).ok();
}

/// A forward proxy that tunnels `CONNECT host:port` to the host and counts the tunnels.
async fn spawn_connect_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let tunnels = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&tunnels);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let counted = Arc::clone(&counted);
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut request_line = String::new();
                if client.read_line(&mut request_line).await.is_err() {
                    return;
                }
                // The rest of the head, up to its empty line.
                let mut line = String::new();
                while client.read_line(&mut line).await.is_ok_and(|read| read > 2) {
                    line.clear();
                }
                let Some(target) = request_line
                    .strip_prefix("CONNECT ")
                    .and_then(|rest| rest.split_whitespace().next())
                else {
                    return;
                };
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let mut client = client.into_inner();
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_ok()
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (address, tunnels)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_suite_goes_through_the_proxy_https_proxy_names() {
    let dir = scratch("proxy");
    let (ca_pem, issuer) = certificate_authority();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, ca_pem).expect("CA written");
    let (cert, key) = server_certificate(&dir, &["localhost", "127.0.0.1"], Some(&issuer));
    let address = spawn_https_mock(cert, key).await;
    let (proxy, tunnels) = spawn_connect_proxy().await;

    let ca = ca.display().to_string();
    let output = conformance(
        arguments(&address, &["--ca-cert", &ca, "--only", "contract"]),
        Some(proxy),
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        tunnels.load(Ordering::SeqCst) >= 1,
        "no request went through the proxy"
    );
    std::fs::remove_dir_all(dir).ok();
}
