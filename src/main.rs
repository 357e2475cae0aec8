//! Starts the server: parse settings, set up logging, build and run the application.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser;
use clerk_backend_mock::{Application, DEFAULT_SECRET_KEY, LogFormat, SWAGGER_UI_PATH, Settings};
use tracing_subscriber::EnvFilter;

#[actix_web::main]
async fn main() -> ExitCode {
    let settings = Settings::parse();
    let filter = EnvFilter::try_new(&settings.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only where a person reads a terminal, not in a CI log or a file.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match settings.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }

    let application = match Application::build(&settings) {
        Ok(application) => application,
        Err(error) => {
            eprintln!("clerk-backend-mock: {error}");
            return ExitCode::from(2);
        }
    };
    let ready = application.ready();
    let banner = banner(&settings, &application);
    tokio::spawn(async move {
        match ready.await {
            Ok(()) => println!("{banner}"),
            Err(error) => {
                eprintln!("clerk-backend-mock: {error}");
                std::process::exit(2);
            }
        }
    });
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("clerk-backend-mock: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What a newcomer needs to make a first call: where, with which key, about whom.
fn banner(settings: &Settings, application: &Application) -> String {
    let base = application.base_url();
    let key = settings
        .secret_keys
        .first()
        .map_or_else(|| "any sk_test_... key".to_owned(), |key| shown_key(key));
    let publishable_key = application.publishable_key();
    let fixtures = application.fixtures();
    let user = fixtures
        .data
        .users
        .first()
        .map(|user| user.id.to_string())
        .unwrap_or_default();
    let session = fixtures
        .data
        .sessions
        .iter()
        .find(|session| session.status.is_live() && session.actor.is_none())
        .and_then(|session| session.id)
        .map(|id| id.to_string())
        .unwrap_or_default();
    let template = fixtures
        .templates
        .first()
        .map(|template| template.name.clone())
        .unwrap_or_default();
    format!(
        "clerk-backend-mock ready on {base}\n\
         \x20 Swagger UI:      {base}{SWAGGER_UI_PATH}\n\
         \x20 Secret key:      {key}\n\
         \x20 Publishable key: {publishable_key} (for authenticateRequest, with apiUrl {base})\n\
         \x20 Try: user {user}, active session {session}, JWT template {template}\n\
         \x20 curl -H 'Authorization: Bearer {key}' '{base}/v1/sessions?user_id={user}'"
    )
}

/// The default key is public and printed whole; a configured one is a secret and masked.
fn shown_key(key: &str) -> String {
    if key == DEFAULT_SECRET_KEY {
        key.to_owned()
    } else {
        let tail: String = key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!(
            "{}…{tail} (configured)",
            key.chars().take(8).collect::<String>()
        )
    }
}
