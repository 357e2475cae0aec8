//! The application: binds (port 0 in tests), seeds in the background, mounts the API, the
//! operator surface and Swagger UI.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use tokio::sync::watch;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::app::config::Settings;
use crate::data::SeedSpec;
use crate::data::document::one_line;
use crate::data::{FixtureError, Fixtures};
use crate::http::AppState;
use crate::http::fallback::no_route;
use crate::http::pipeline::{self, OperationStages, faults};
use crate::http::routes;
use crate::http::routes::operator::OpenApiDocument;
use crate::tenancy::faults::FaultPlan;
use crate::tenancy::instance::{InstanceDefaults, StartDocument};
use crate::tenancy::registry::{Registry, RegistryConfig};
use crate::tenancy::seeder::Seeder;
use crate::tenancy::state_file::{StateFile, StateFileError};
use crate::tokens::TokenSettings;
use crate::webhooks::signature::SigningSecret;
use crate::webhooks::{RetrySchedule, WebhookSettings, endpoint_url};

/// Where Swagger UI is served.
pub const SWAGGER_UI_PATH: &str = "/swagger-ui/";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("no secret key configured: give at least one --secret-key, or --accept-any-test-key")]
    NoKeys,
    #[error("bad fault flags: {0}")]
    Faults(String),
    #[error("seeding failed: {0}")]
    Seeding(String),
    #[error("cannot start the seeding thread: {0}")]
    SeedingThread(std::io::Error),
    #[error("--data {file}: {problem}")]
    Data { file: String, problem: String },
    #[error(transparent)]
    State(#[from] StateFileError),
    #[error("--{flag}: {problem}")]
    Webhook { flag: &'static str, problem: String },
    #[error(transparent)]
    Tls(#[from] crate::app::tls::TlsError),
}

/// Where seeding stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seeding {
    Running,
    Done,
    Failed(String),
}

/// A bound, running server. Build it, read its port, then await [`Application::run_until_stopped`].
pub struct Application {
    port: u16,
    base_url: String,
    server: Server,
    seeding: watch::Receiver<Seeding>,
    fixtures: Arc<Fixtures>,
    publishable_key: String,
    state: web::Data<AppState>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Loads the fixtures, binds the listener and starts serving; seeding runs in the
    /// background, and the API answers 503 until it is done.
    pub fn build(settings: &Settings) -> Result<Self, StartupError> {
        let inputs = Inputs::read(settings)?;
        let tls = match (&settings.tls_cert, &settings.tls_key) {
            (Some(certificate), Some(key)) => {
                Some(crate::app::tls::server_config(certificate, key)?)
            }
            _ => None,
        };
        let address = format!("{}:{}", settings.host, settings.port);
        let bind_error = |source| StartupError::Bind {
            address: address.clone(),
            source,
        };
        let listener = TcpListener::bind(&address).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{}:{port}", settings.host);

        let seeder = Seeder::start().map_err(StartupError::SeedingThread)?;
        let state = web::Data::new(AppState::new(
            settings.api_version,
            settings.lenient_list,
            settings.retire_verify,
            seeder,
        ));
        let tokens = Arc::new(TokenSettings {
            issuer: settings.issuer.clone().unwrap_or_else(|| base_url.clone()),
            authorized_party: settings.authorized_party.clone(),
        });
        let publishable_key = tokens.publishable_key().as_str().to_owned();
        let fixtures = Arc::clone(&inputs.fixtures);
        let seeding = seed_in_background(settings, inputs, tokens, state.clone());

        let server = serve(settings, state.clone(), listener, tls).map_err(bind_error)?;

        Ok(Self {
            port,
            base_url,
            server,
            seeding,
            fixtures,
            publishable_key,
            state,
        })
    }

    /// The port the server listens on (the one the OS picked when asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the server answers: `http://` or, with a certificate, `https://`, then host and port.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The publishable key `@clerk/backend`'s `authenticateRequest` needs besides the secret
    /// key: its Frontend API host is the host of the tokens' issuer.
    pub fn publishable_key(&self) -> &str {
        &self.publishable_key
    }

    /// The fixtures every instance starts with.
    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    /// What the server's workers share: the registry of instances, once seeded.
    pub(crate) fn shared_state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Stops the server from outside its future.
    pub(crate) fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// A future that resolves once every configured instance is seeded, or seeding failed.
    pub fn ready(&self) -> impl Future<Output = Result<(), StartupError>> + use<> {
        let mut seeding = self.seeding.clone();
        async move {
            let outcome = seeding
                .wait_for(|seeding| *seeding != Seeding::Running)
                .await
                .map(|seeding| seeding.clone());
            match outcome {
                Ok(Seeding::Done) => Ok(()),
                Ok(Seeding::Failed(reason)) => Err(StartupError::Seeding(reason)),
                // The seeding thread ended without a word: it panicked.
                Ok(Seeding::Running) | Err(_) => Err(StartupError::Seeding(
                    "the seeding thread stopped".to_owned(),
                )),
            }
        }
    }

    /// Serves until the process is asked to stop (Ctrl-C or SIGTERM), then writes the state
    /// file (`--state`) if there is one and the instances were made.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await?;
        // Before seeding is done there is nothing new to keep, and the file stays as it was.
        if let Ok(registry) = self.state.registry() {
            match registry.save_state() {
                Ok(Some(saved)) => {
                    tracing::info!(
                        instances = saved.instances,
                        bytes = saved.bytes,
                        "state saved"
                    );
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "the state was not saved"),
            }
        }
        Ok(())
    }
}

/// What the settings name besides the network: the fixtures, the keys, the faults and the
/// `--data` documents, each read and checked before anything starts.
struct Inputs {
    fixtures: Arc<Fixtures>,
    keys: Vec<String>,
    faults: FaultPlan,
    start_documents: Vec<StartDocument>,
    state: Option<Arc<StateFile>>,
    webhooks: WebhookSettings,
}

impl Inputs {
    fn read(settings: &Settings) -> Result<Self, StartupError> {
        let fixtures = Arc::new(match &settings.fixtures {
            Some(dir) => Fixtures::load_dir(dir)?,
            None => Fixtures::embedded()?,
        });
        let keys: Vec<String> = settings
            .secret_keys
            .iter()
            .map(|key| key.trim().to_owned())
            .filter(|key| !key.is_empty())
            .collect();
        if keys.is_empty() && !settings.accept_any_test_key {
            return Err(StartupError::NoKeys);
        }
        let faults = settings
            .faults
            .checked_plan()
            .map_err(StartupError::Faults)?;
        let start_documents = settings
            .data
            .iter()
            .map(|path| start_document(path))
            .collect::<Result<Vec<_>, _>>()?;
        let state = match &settings.state {
            Some(path) => Some(Arc::new(StateFile::open(path)?)),
            None => None,
        };
        Ok(Self {
            fixtures,
            keys,
            faults,
            start_documents,
            state,
            webhooks: webhook_settings(settings)?,
        })
    }
}

/// Seeds the configured instances on a thread of their own and publishes them in `state`; the
/// receiver says when that is done, or why it failed.
fn seed_in_background(
    settings: &Settings,
    inputs: Inputs,
    tokens: Arc<TokenSettings>,
    state: web::Data<AppState>,
) -> watch::Receiver<Seeding> {
    let (seeding_sender, seeding) = watch::channel(Seeding::Running);
    let registry_config = RegistryConfig {
        defaults: InstanceDefaults {
            fixtures: inputs.fixtures,
            spec: SeedSpec {
                seed: settings.seed,
                users: settings.users,
                organizations: settings.organizations,
                sessions: settings.sessions,
                list_all: settings.lenient_list,
            },
            journal_size: settings.journal_size,
            faults: Arc::new(inputs.faults),
            tokens,
            documents: Arc::new([]),
            webhooks: Arc::new(inputs.webhooks),
        },
        accept_any_test_key: settings.accept_any_test_key,
        generate_signing_keys: settings.generate_signing_keys,
        max_on_demand: settings.max_instances,
        memory_bytes: settings.instance_memory_mib.saturating_mul(1024 * 1024),
        id_secret: settings.id_secret.clone(),
        start_documents: inputs.start_documents.into(),
        state: inputs.state,
    };
    let keys = inputs.keys;
    std::thread::spawn(move || match Registry::new(registry_config, &keys) {
        Ok(registry) => {
            state.set_registry(Arc::new(registry));
            seeding_sender.send_replace(Seeding::Done);
        }
        Err(error) => {
            seeding_sender.send_replace(Seeding::Failed(error.to_string()));
        }
    });
    seeding
}

/// Serves on `listener` (over TLS with `tls`): per worker, the routes (the API, the operator
/// and admin surfaces), Swagger UI and the fallback for what no route takes, inside the
/// pipeline's stages.
fn serve(
    settings: &Settings,
    state: web::Data<AppState>,
    listener: TcpListener,
    tls: Option<rustls::ServerConfig>,
) -> std::io::Result<Server> {
    let document = web::Data::new(OpenApiDocument(crate::app::openapi::document_json()));
    let cors_origins = settings.cors_origins.clone();
    let admin_cors_origins = settings.admin_cors_origins.clone();
    let server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .configure(routes::configure)
            .split_for_parts();
        let app = app
            .app_data(state.clone())
            .app_data(document.clone())
            .service(
                SwaggerUi::new(format!("{SWAGGER_UI_PATH}{{_:.*}}")).config(
                    Config::new(["/openapi.json"])
                        .persist_authorization(true)
                        .show_common_extensions(true),
                ),
            )
            .route("/", web::get().to(redirect_to_swagger_ui))
            .route("/swagger-ui", web::get().to(redirect_to_swagger_ui))
            .default_service(web::route().to(no_route).wrap(OperationStages(None)));
        pipeline::install(
            app,
            pipeline::cors::cors(&cors_origins, &admin_cors_origins),
        )
    })
    .on_connect(faults::remember_socket)
    .shutdown_timeout(5)
    .client_request_timeout(Duration::from_millis(settings.client_timeout_ms))
    .client_disconnect_timeout(Duration::from_secs(1));
    Ok(match tls {
        Some(tls) => server.listen_rustls_0_23(listener, tls)?,
        None => server.listen(listener)?,
    }
    .run())
}

/// The webhooks every instance has: the schedule, the version payloads are written in, and the
/// endpoint of `--webhook-url`, checked.
fn webhook_settings(settings: &Settings) -> Result<WebhookSettings, StartupError> {
    let startup_endpoint = match (&settings.webhook_url, &settings.webhook_secret) {
        (Some(url), Some(secret)) => Some((
            endpoint_url(url).map_err(|problem| StartupError::Webhook {
                flag: "webhook-url",
                problem,
            })?,
            SigningSecret::parse(secret).map_err(|problem| StartupError::Webhook {
                flag: "webhook-secret",
                problem,
            })?,
        )),
        _ => None,
    };
    Ok(WebhookSettings {
        schedule: RetrySchedule {
            compression: settings.webhook_retry_compression,
        },
        version: settings.api_version,
        startup_endpoint,
        held_limit: crate::webhooks::MAX_HELD_BYTES,
    })
}

/// A `--data` file, read and checked entry by entry (its references are checked when it is
/// loaded into the seeded data).
fn start_document(path: &std::path::Path) -> Result<StartDocument, StartupError> {
    let name = path.display().to_string();
    let failed = |problem: String| StartupError::Data {
        file: name.clone(),
        problem,
    };
    let text = std::fs::read_to_string(path).map_err(|error| failed(error.to_string()))?;
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
        .map_err(|error| failed(format!("not a JSON object: {error}")))?;
    let document =
        crate::data::document::read(&json).map_err(|problems| failed(one_line(&problems)))?;
    Ok(StartDocument { name, document })
}

async fn redirect_to_swagger_ui() -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header((actix_web::http::header::LOCATION, SWAGGER_UI_PATH))
        .finish()
}
