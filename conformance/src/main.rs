//! `clerk-conformance`: checks a server against Clerk's Sessions API contract.
//!
//! Exit codes: 0 all required checks passed, 1 failures, 2 usage or configuration error,
//! 3 target unreachable.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use clerk_conformance::check::{Context, GivenRefresh, Options};
use clerk_conformance::runner::{self, Selection};
use clerk_conformance::transport::ClientSettings;
use clerk_conformance::watch::{SpecChoice, Watch, WatchSettings};
use clerk_conformance::{BuiltinSpec, Spec, Target, builtin, checks, report};

/// Checks any implementation of Clerk's Sessions API against its contract.
#[derive(Debug, Parser)]
#[command(
    name = "clerk-conformance",
    version,
    about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// The server root (the suite adds /v1), such as http://127.0.0.1:8080 or https://api.clerk.com.
    #[arg(long, env = "CLERK_API_URL", required_unless_present_any = ["list", "list_specs"])]
    base_url: Option<String>,

    /// The secret key to authenticate with.
    #[arg(
        long,
        env = "CLERK_SECRET_KEY",
        hide_env_values = true,
        required_unless_present_any = ["list", "list_specs"]
    )]
    secret_key: Option<String>,

    /// A user whose sessions the suite may read, and create sessions for with --allow-mutations.
    #[arg(long)]
    user_id: Option<String>,

    /// A session the suite may read and, with --allow-mutations, change (repeatable).
    #[arg(long = "session-id")]
    session_ids: Vec<String>,

    /// The refresh token of the first --session-id (from a browser's `__refresh_*` cookie),
    /// for the refresh checks on a target that hands out no refresh tokens. REFRESH-005 revokes
    /// that session.
    #[arg(
        long,
        env = "CLERK_REFRESH_TOKEN",
        hide_env_values = true,
        requires = "session_ids"
    )]
    refresh_token: Option<String>,

    /// A JWT template of the instance, for the template token checks.
    #[arg(long, default_value = "test")]
    template: String,

    /// The API version to select (Clerk-API-Version) on every request that does not choose one.
    #[arg(long)]
    api_version: Option<String>,

    /// The OpenAPI document to validate against: a built-in name (--list-specs) or a JSON or YAML
    /// file. Default: Clerk's official file for --api-version, with its known deviations.
    #[arg(long, value_name = "NAME|FILE")]
    spec: Option<String>,

    /// Trust this CA (PEM) for HTTPS, besides the system's trust store; a server presenting
    /// exactly one of its certificates is trusted too (pinned), whatever its CA flag.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// Also run the checks that create sessions, revoke them and mint tokens.
    #[arg(long)]
    allow_mutations: bool,

    /// Accept an sk_live_ key (refused by default).
    #[arg(long)]
    allow_live_key: bool,

    /// Run only these checks (ids such as AUTH-004, or groups such as auth); repeatable.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,

    /// Skip these checks or groups; repeatable.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,

    /// A YAML or JSON list of known deviations ({id, reason}) that do not fail the run.
    #[arg(long, value_name = "FILE")]
    deviations: Option<PathBuf>,

    /// Most requests per second (0: no cap; default: none on this machine, 10 elsewhere).
    #[arg(long)]
    max_rps: Option<u32>,

    /// Write a JUnit XML report here (one test case per check).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// List the checks and exit.
    #[arg(long)]
    list: bool,

    /// List the built-in OpenAPI documents and exit.
    #[arg(long)]
    list_specs: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Forward an application's traffic to an implementation and check every exchange.
    Watch(WatchCli),
}

/// `clerk-conformance watch`: a validating proxy.
#[derive(Debug, clap::Args)]
struct WatchCli {
    /// Where to listen; point the application's SDK (apiUrl) here.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: String,

    /// The implementation to forward to (its root; requests keep their /v1).
    #[arg(long)]
    upstream: String,

    /// The API version of requests that name none (the deployment's default).
    #[arg(long)]
    api_version: Option<String>,

    /// The OpenAPI document to check against: a built-in name or a file. Default: Clerk's
    /// official file for each request's API version.
    #[arg(long, value_name = "NAME|FILE")]
    spec: Option<String>,

    /// Trust this CA (PEM) for an HTTPS upstream, besides the system's trust store.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// Stop after this many seconds (default: at SIGINT or SIGTERM).
    #[arg(long)]
    duration: Option<u64>,

    /// Write what the upstream showed as a data document (clerk-backend-mock --data FILE).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,

    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("clerk-conformance: {message}");
    ExitCode::from(2)
}

/// Fails unless `url` (the value of `flag`) is an http:// or https:// URL.
fn http_url(flag: &str, url: &str) -> Result<(), String> {
    match url::Url::parse(url).map(|url| url.scheme().to_owned()) {
        Ok(scheme) if scheme == "http" || scheme == "https" => Ok(()),
        _ => Err(format!("{flag} {url} is not an http:// or https:// URL")),
    }
}

/// The settings of HTTP clients trusting `ca_cert` (a PEM file) besides the system's trust store.
fn client_settings_trusting(ca_cert: Option<&std::path::Path>) -> Result<ClientSettings, String> {
    let Some(path) = ca_cert else {
        return ClientSettings::new(runner::REQUEST_TIMEOUT, None);
    };
    std::fs::read(path)
        .map_err(|error| error.to_string())
        .and_then(|pem| ClientSettings::new(runner::REQUEST_TIMEOUT, Some(&pem)))
        .map_err(|error| format!("--ca-cert {}: {error}", path.display()))
}

/// Writes a report to `path`, when one is asked for.
fn write_report(
    path: Option<&PathBuf>,
    rendered: impl FnOnce() -> Result<String, String>,
) -> Result<(), String> {
    let Some(path) = path else {
        return Ok(());
    };
    rendered()
        .and_then(|text| std::fs::write(path, text).map_err(|error| error.to_string()))
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// The document to validate against and the deviations that come with it: a built-in name, a
/// file, or by default Clerk's official file for the API version.
fn chosen_spec(
    spec: Option<&str>,
    api_version: Option<&str>,
) -> Result<(Spec, HashMap<String, String>), String> {
    let builtin = match spec {
        None => BuiltinSpec::official_for(api_version),
        Some(name) => match BuiltinSpec::named(name) {
            Some(builtin) => builtin,
            None if std::path::Path::new(name).exists() => {
                let spec = Spec::load(std::path::Path::new(name)).map_err(|e| e.to_string())?;
                return Ok((spec, HashMap::new()));
            }
            None => {
                let names: Vec<&str> = builtin::ALL.iter().map(|spec| spec.name).collect();
                return Err(format!(
                    "--spec {name}: no such file, and not a built-in document ({})",
                    names.join(", ")
                ));
            }
        },
    };
    let spec = builtin.spec().map_err(|error| error.to_string())?;
    Ok((spec, builtin.deviations()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    if let Some(Command::Watch(watch)) = cli.command {
        return run_watch(watch).await;
    }
    let all = checks::all();
    if cli.list {
        for check in &all {
            println!(
                "{:<13} {:<11} {}{}",
                check.id,
                check.group.name(),
                check.title,
                if check.mutates { " (mutates)" } else { "" }
            );
        }
        return ExitCode::SUCCESS;
    }
    if cli.list_specs {
        for builtin in builtin::ALL {
            println!("{:<18} {}", builtin.name, builtin.description);
        }
        return ExitCode::SUCCESS;
    }
    let (Some(base_url), Some(secret_key)) = (cli.base_url.clone(), cli.secret_key.clone()) else {
        return usage_error("--base-url and --secret-key are required");
    };
    if let Err(error) = http_url("--base-url", &base_url) {
        return usage_error(&error);
    }
    if secret_key.starts_with("sk_live_") && !cli.allow_live_key {
        return usage_error(
            "refusing an sk_live_ key: pass --allow-live-key to check a production instance",
        );
    }
    let (spec, mut deviations) = match chosen_spec(cli.spec.as_deref(), cli.api_version.as_deref())
    {
        Ok(chosen) => chosen,
        Err(error) => return usage_error(&error),
    };
    if let Some(path) = &cli.deviations {
        match std::fs::read_to_string(path)
            .map_err(|error| error.to_string())
            .and_then(|text| runner::parse_deviations(&text))
        {
            Ok(listed) => deviations.extend(listed),
            Err(error) => return usage_error(&format!("{}: {error}", path.display())),
        }
    }
    let http = match client_settings_trusting(cli.ca_cert.as_deref()).and_then(|http| http.build())
    {
        Ok(http) => http,
        Err(error) => return usage_error(&error),
    };
    let rate = cli
        .max_rps
        .unwrap_or_else(|| runner::default_rate_limit(&base_url));
    let target = Target::new(&base_url, &secret_key, cli.api_version.clone(), rate, http);
    let context = Context::new(
        target,
        spec,
        Options {
            user_id: cli.user_id.clone(),
            session_ids: cli.session_ids.clone(),
            refresh: cli
                .refresh_token
                .clone()
                .zip(cli.session_ids.first().cloned())
                .map(|(refresh_token, session_id)| GivenRefresh {
                    session_id,
                    refresh_token,
                }),
            template: cli.template.clone(),
            allow_mutations: cli.allow_mutations,
        },
    );
    if let Err(reason) = runner::reachable(&context).await {
        eprintln!(
            "clerk-conformance: target unreachable: {}",
            context.target.redact(&reason)
        );
        return ExitCode::from(3);
    }
    let selection = Selection {
        only: cli.only.clone(),
        skip: cli.skip.clone(),
    };
    let mut progress = |index: usize, total: usize, check: &clerk_conformance::Check| {
        let mut stderr = std::io::stderr();
        let _ = write!(
            stderr,
            "\r[{index:>3}/{total}] {:<13} {:<60}",
            check.id,
            check.title.chars().take(60).collect::<String>()
        );
        let _ = stderr.flush();
    };
    let run = runner::run(&context, &all, &selection, &deviations, &mut progress).await;
    eprintln!("\r{:<80}", "");
    print!("{}", context.target.redact(&report::table(&run)));
    let redacted =
        |rendered: Result<String, String>| rendered.map(|text| context.target.redact(&text));
    let written = write_report(cli.junit.as_ref(), || redacted(report::junit(&run)))
        .and_then(|()| write_report(cli.json.as_ref(), || redacted(report::json(&run))));
    if let Err(error) = written {
        return usage_error(&error);
    }
    ExitCode::from(run.exit_code())
}

/// Until SIGINT or SIGTERM, or `duration` seconds.
async fn stopped(duration: Option<u64>) {
    let deadline = async {
        match duration {
            Some(seconds) => tokio::time::sleep(std::time::Duration::from_secs(seconds)).await,
            None => std::future::pending().await,
        }
    };
    #[cfg(unix)]
    let terminated = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminated = std::future::pending::<()>();
    tokio::select! {
        () = deadline => {}
        _ = tokio::signal::ctrl_c() => {}
        () = terminated => {}
    }
}

async fn run_watch(cli: WatchCli) -> ExitCode {
    if let Err(error) = http_url("--upstream", &cli.upstream) {
        return usage_error(&error);
    }
    let specs = match &cli.spec {
        None => SpecChoice::Official,
        Some(name) => match chosen_spec(Some(name), cli.api_version.as_deref()) {
            Ok((spec, deviations)) => SpecChoice::Fixed(spec, deviations),
            Err(error) => return usage_error(&error),
        },
    };
    let http = match client_settings_trusting(cli.ca_cert.as_deref()) {
        Ok(http) => http,
        Err(error) => return usage_error(&error),
    };
    let watch = match Watch::start(WatchSettings {
        listen: cli.listen.clone(),
        upstream: cli.upstream.clone(),
        default_version: cli.api_version.clone(),
        specs,
        record: cli.record.is_some(),
        print_violations: true,
        http,
    }) {
        Ok(watch) => watch,
        Err(error) => return usage_error(&error.to_string()),
    };
    eprintln!(
        "clerk-conformance watch: {} -> {} (stop with Ctrl-C)",
        watch.address(),
        cli.upstream
    );
    stopped(cli.duration).await;
    let outcome = watch.stop().await;
    print!("{}", report::table(&outcome.report));
    println!("{} exchanges watched", outcome.exchanges);
    let recording = outcome
        .recording
        .as_ref()
        .map(|document| serde_json::to_string_pretty(document).map_err(|error| error.to_string()));
    for (path, rendered) in [
        (&cli.junit, Some(report::junit(&outcome.report))),
        (&cli.json, Some(report::json(&outcome.report))),
        (&cli.record, recording),
    ] {
        let (Some(path), Some(rendered)) = (path, rendered) else {
            continue;
        };
        if let Err(error) =
            rendered.and_then(|text| std::fs::write(path, text).map_err(|error| error.to_string()))
        {
            return usage_error(&format!("cannot write {}: {error}", path.display()));
        }
    }
    ExitCode::from(outcome.report.exit_code())
}
