//! The `espace-usager` command: serves the portal, or runs one maintenance task.

use std::{io::Write, process::ExitCode};

use clap::{Parser, Subcommand};
use espace_usager::startup::{AppState, leptos_options, router};
use server::{
    Services,
    config::{Config, DemoData},
    demo::{DemoCredentials, create_demo_data_if_empty},
    http::shutdown_signal,
    telemetry,
};

#[derive(Parser)]
#[command(
    version,
    about = "Espace usager: the applicant portal of an asylum office"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Check the configuration and print it (secrets redacted), then exit.
    CheckConfig,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            // Before logging exists: one sentence on the console, naming the variable.
            let _ = writeln!(std::io::stderr(), "Configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => Services::start(config)
            .await
            .map(|_| ())
            .map_err(anyhow::Error::from),
        Command::CheckConfig => {
            let _ = writeln!(std::io::stdout(), "{config:#?}");
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let demo_data = config.demo_data;
    let leptos_options = leptos_options(&config);
    let services = Services::start(config).await?;
    if demo_data == DemoData::Auto
        && let Some(credentials) = create_demo_data_if_empty(services.storage.as_ref()).await?
    {
        show_demo_credentials(&credentials, &services.config.public_url);
    }
    let address = services.config.listen_addr;
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(%address, public_url = %services.config.public_url, "serving");
    let app = router(AppState {
        leptos_options,
        services,
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Shown once on the console of a developer's first run, never through the log pipeline.
fn show_demo_credentials(credentials: &DemoCredentials, public_url: &url::Url) {
    let text = format!(
        "\n  Demo data created (shown once, not stored in clear anywhere):\n\
         \n    Portal:            {public_url}\
         \n    Staff email:       {}\
         \n    Staff password:    {}\
         \n    Applicant number:  {} (born {})\
         \n    Connection key:    {}\n",
        credentials.staff_email,
        credentials.staff_password.expose(),
        credentials.foreigner_number,
        credentials.date_of_birth,
        credentials.connection_key.expose(),
    );
    let _ = writeln!(std::io::stdout(), "{text}");
}
