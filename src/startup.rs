//! The application: binds (port 0 in tests), seeds in the background, mounts the API, the
//! operator surface and Swagger UI.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use tokio::sync::watch;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::config::Settings;
use crate::domain::Clock;
use crate::fixtures::{FixtureError, Fixtures};
use crate::http::body::MAX_BODY_BYTES;
use crate::http::envelope::errors_in_envelope;
use crate::http::fallback::{RouteTable, no_route};
use crate::http::routes::operator::OpenApiDocument;
use crate::http::routes::{operator, sessions};
use crate::http::{API_PREFIX, AppState, auth};
use crate::registry::{Registry, RegistryConfig};
use crate::seed::SeedSpec;

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
}

/// A bound, running server. Build it, read its port, then await [`Application::run_until_stopped`].
pub struct Application {
    port: u16,
    server: Server,
    ready: watch::Receiver<bool>,
    fixtures: Arc<Fixtures>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

/// Registers every documented route; the OpenAPI document is generated from the same calls.
pub fn configure_routes(config: &mut ServiceConfig) {
    config.service(
        utoipa_actix_web::scope(API_PREFIX)
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .configure(sessions::configure),
    );
    operator::configure(config);
}

impl Application {
    /// Loads the fixtures, binds the listener and starts serving; seeding runs in the
    /// background, and the API answers 503 until it is done.
    pub fn build(settings: &Settings) -> Result<Self, StartupError> {
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

        let address = format!("{}:{}", settings.host, settings.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartupError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                address: address.clone(),
                source,
            })?
            .port();

        let state = web::Data::new(AppState::new(settings.api_version, settings.lenient_list));
        let (ready_sender, ready) = watch::channel(false);
        let registry_config = RegistryConfig {
            fixtures: Arc::clone(&fixtures),
            spec: SeedSpec {
                seed: settings.seed,
                users: settings.users,
                sessions: settings.sessions,
            },
            clock: Clock::System,
            accept_any_test_key: settings.accept_any_test_key,
        };
        let seeding_state = state.clone();
        std::thread::spawn(move || {
            let registry = Registry::new(registry_config, &keys);
            seeding_state.set_registry(Arc::new(registry));
            ready_sender.send_replace(true);
        });

        let openapi = crate::openapi::document();
        let routes = web::Data::new(RouteTable::from_openapi(&openapi));
        let document = web::Data::new(OpenApiDocument(crate::openapi::document_json()));
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(configure_routes)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(routes.clone())
                .app_data(document.clone())
                .service(
                    SwaggerUi::new(format!("{SWAGGER_UI_PATH}{{_:.*}}"))
                        .config(Config::new(["/openapi.json"]).persist_authorization(true)),
                )
                .route("/", web::get().to(redirect_to_swagger_ui))
                .route("/swagger-ui", web::get().to(redirect_to_swagger_ui))
                .default_service(web::to(no_route))
                .wrap(from_fn(auth::authenticate))
                .wrap(errors_in_envelope())
        })
        .shutdown_timeout(5)
        .listen(listener)
        .map_err(|source| StartupError::Bind { address, source })?
        .run();

        Ok(Self {
            port,
            server,
            ready,
            fixtures,
        })
    }

    /// The port the server listens on (the one the OS picked when asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The fixtures every instance starts with.
    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    /// A future that resolves once every configured instance is seeded.
    pub fn ready(&self) -> impl Future<Output = ()> + use<> {
        let mut ready = self.ready.clone();
        async move {
            // An error means seeding ended without signalling, which only a panic does.
            let _ = ready.wait_for(|ready| *ready).await;
        }
    }

    /// Serves until the process is asked to stop (Ctrl-C or SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn redirect_to_swagger_ui() -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header((actix_web::http::header::LOCATION, SWAGGER_UI_PATH))
        .finish()
}
