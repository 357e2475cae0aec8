//! `clerk-conformance watch`: a validating proxy. The application under test points its SDK at
//! the proxy; every exchange is forwarded unchanged and checked, without a request of its own but
//! one fetch of the JWKS (with the application's own key) to verify tokens. Violations print as
//! they happen; when the watch stops, it reports like a suite run and, when asked, writes what
//! the upstream showed as a data document the mock loads.

pub mod exchange;
pub mod observer;
pub mod proxy;
pub mod record;

use std::io::Write as _;
use std::time::Instant;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use observer::{SpecChoice, Violation};

use self::exchange::Exchange;
use self::observer::Observer;
use self::proxy::Forwarding;
use self::record::Recorder;
use crate::runner::RunReport;
use crate::transport::ClientSettings;

/// The largest request body the proxy forwards: the mock's largest (a data document).
const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// How to watch.
#[derive(Debug)]
pub struct WatchSettings {
    /// Where the proxy listens, such as `127.0.0.1:8081` (port 0 picks a free one).
    pub listen: String,
    /// The implementation forwarded to: its root, without `/v1`.
    pub upstream: String,
    /// The API version of requests that name none: the deployment's default.
    pub default_version: Option<String>,
    pub specs: SpecChoice,
    /// Keep what the upstream shows, for [`WatchOutcome::recording`].
    pub record: bool,
    /// Print each violation to standard error as it is found.
    pub print_violations: bool,
    /// How to reach the upstream.
    pub http: ClientSettings,
}

/// Why a watch could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {listen}: {source}")]
    Listen {
        listen: String,
        source: std::io::Error,
    },
    #[error("cannot build an HTTP client: {0}")]
    Client(String),
}

/// A running watch.
#[derive(Debug)]
pub struct Watch {
    address: String,
    upstream: String,
    server: ServerHandle,
    /// The observer's own way into its queue, to say "no more" once the server has stopped.
    queue: mpsc::UnboundedSender<Option<Exchange>>,
    observer: JoinHandle<(Observer, Option<Recorder>)>,
    started: Instant,
}

/// What a watch saw, once stopped.
#[derive(Debug)]
pub struct WatchOutcome {
    /// One entry per watch check, as a suite run reports its checks.
    pub report: RunReport,
    pub exchanges: u64,
    pub violations: Vec<Violation>,
    /// The data document, when recording.
    pub recording: Option<clerk_mock_document::Document>,
}

impl Watch {
    /// Binds the proxy and starts forwarding.
    pub fn start(settings: WatchSettings) -> Result<Self, StartError> {
        // Exchanges come in as answers complete; `None`, sent once the server has stopped, ends it.
        let (queue, mut incoming) = mpsc::unbounded_channel::<Option<Exchange>>();
        // Each worker and the observer run on a runtime of their own, and each gets a client of
        // its own: a connection pooled by one runtime fails in another once the first has stopped
        // (as a worker does before the observer has seen the last exchanges).
        let observer_http = settings.http.build().map_err(StartError::Client)?;
        let upstream = settings.upstream.trim_end_matches('/').to_owned();
        let server = HttpServer::new({
            let upstream = upstream.clone();
            let queue = queue.clone();
            let client = settings.http.clone();
            let observer_http = observer_http.clone();
            move || {
                // The same settings built the observer's client, so this fails only if the
                // machine does; the worker then shares the observer's.
                let http = client.build().unwrap_or_else(|_| observer_http.clone());
                App::new()
                    .app_data(web::Data::new(Forwarding {
                        upstream: upstream.clone(),
                        http,
                        exchanges: queue.clone(),
                    }))
                    .app_data(web::PayloadConfig::new(MAX_REQUEST_BYTES))
                    .default_service(web::to(proxy::forward))
            }
        })
        .workers(2)
        .shutdown_timeout(5)
        .bind(&settings.listen)
        .map_err(|source| StartError::Listen {
            listen: settings.listen.clone(),
            source,
        })?;
        let address = server
            .addrs()
            .first()
            .map(|address| format!("http://{address}"))
            .unwrap_or_default();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        let mut observer = Observer::new(
            settings.specs,
            settings.default_version,
            upstream,
            observer_http,
        );
        let mut recorder = settings.record.then(Recorder::default);
        let print = settings.print_violations;
        let observer = tokio::spawn(async move {
            while let Some(Some(exchange)) = incoming.recv().await {
                for violation in observer.observe(&exchange).await {
                    if print {
                        // A closed standard error must not stop the watch.
                        let _ = writeln!(std::io::stderr(), "{violation}");
                    }
                }
                if let Some(recorder) = recorder.as_mut() {
                    recorder.observe(&exchange);
                }
            }
            (observer, recorder)
        });
        Ok(Self {
            address,
            upstream: settings.upstream,
            server: handle,
            queue,
            observer,
            started: Instant::now(),
        })
    }

    /// Where the proxy answers: `http://host:port`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Stops taking requests, lets the ones in flight finish, and reports.
    pub async fn stop(self) -> WatchOutcome {
        // A graceful stop waits for every answer in flight, each of which is queued as it ends.
        self.server.stop(true).await;
        let _ = self.queue.send(None);
        let (observer, recorder) = match self.observer.await {
            Ok(done) => done,
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        };
        WatchOutcome {
            report: RunReport {
                base_url: self.upstream,
                checks: observer.report(),
                crash: None,
                duration_ms: self.started.elapsed().as_millis(),
            },
            exchanges: observer.exchanges(),
            violations: observer.violations().to_vec(),
            recording: recorder.map(|recorder| recorder.document()),
        }
    }
}
