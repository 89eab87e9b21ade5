//! The `espace-usager` command: serves the portal, or runs one maintenance task.

use std::{io::Write, process::ExitCode};

use clap::{Parser, Subcommand};
use espace_usager::{
    background_jobs,
    startup::{AppState, leptos_options, router},
};
use server::{
    Services,
    accounts::registration::register_applicant,
    config::{Config, DemoData},
    demo::{DemoCredentials, create_demo_data_if_empty},
    http::shutdown_signal,
    storage::NewApplicant,
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
    /// Register an applicant and print their one-time connection key (shown once).
    CreateApplicant(NewApplicantArgs),
    /// Invite the first administrator (or any staff member): prints a one-time set-up link.
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agent, supervisor or administrator.
        #[arg(long, default_value = "administrator")]
        role: String,
    },
    /// Create a key for the office's back-office system (REST API); printed once.
    CreateApiKey {
        /// What the key is for, e.g. "back-office production".
        #[arg(long)]
        name: String,
        /// What it may do: applicants:write, documents:write, documents:read, applicants:read (repeatable or
        /// comma-separated).
        #[arg(
            long = "scope",
            value_delimiter = ',',
            default_value = "applicants:write"
        )]
        scopes: Vec<String>,
    },
    /// Let sign-in, activation, reset and code attempts in again for a foreigner number, or
    /// staff sign-in attempts for a staff email, without waiting.
    LiftLocks {
        #[arg(long, required_unless_present = "email", conflicts_with = "email")]
        foreigner_number: Option<String>,
        /// A staff member's email.
        #[arg(long)]
        email: Option<String>,
    },
    /// Recompute the audit log's hash chain; fails if an event was changed, removed or cut off.
    VerifyAuditLog,
    /// Remove stored document files that no document row points at (left by a crash).
    SweepOrphanDocuments,
    /// Erase now what the retention policy says is due (the server also does it every hour).
    EraseExpiredData,
    /// Write a fictitious population for benchmarks (never in production): applicants from
    /// 9000000000, document rows, and real letters for the first applicants.
    GenerateData(espace_usager::generated_population::GenerateArgs),
}

#[derive(clap::Args)]
struct NewApplicantArgs {
    /// 10-digit foreigner number.
    #[arg(long)]
    foreigner_number: Option<String>,
    /// The office's file number.
    #[arg(long)]
    file_number: Option<String>,
    #[arg(long)]
    given_names: String,
    #[arg(long)]
    family_name: String,
    /// YYYY-MM-DD.
    #[arg(long)]
    date_of_birth: chrono::NaiveDate,
    /// Language code (fr, en, ar, prs, ps...).
    #[arg(long, default_value = "fr")]
    language: String,
    /// Documents posted in the account do not count as legal notification for this applicant.
    #[arg(long)]
    no_electronic_notification: bool,
    /// Also write the printable account notice (PDF, with the key) to this file.
    #[arg(long)]
    notice_pdf: Option<std::path::PathBuf>,
    /// The mobile number the applicant gave at registration (E.164, such as +33612345678):
    /// content-free alerts go there until they verify one of their own.
    #[arg(long)]
    phone: Option<String>,
    /// The email the applicant gave at registration; the same rules.
    #[arg(long)]
    email: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    return_large_blocks_to_the_system();
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
        Command::CreateApplicant(args) => create_applicant(config, args).await,
        Command::LiftLocks {
            foreigner_number,
            email,
        } => lift_locks(config, foreigner_number, email).await,
        Command::VerifyAuditLog => verify_audit_log(config).await,
        Command::SweepOrphanDocuments => sweep_orphan_documents(config).await,
        Command::EraseExpiredData => erase_expired_data(config).await,
        Command::GenerateData(args) => {
            espace_usager::generated_population::generate_data(config, args).await
        }
        Command::CreateApiKey { name, scopes } => create_api_key(config, &name, &scopes).await,
        Command::CreateStaff { email, name, role } => {
            create_staff(config, &email, &name, &role).await
        }
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
        && let Some(credentials) =
            create_demo_data_if_empty(services.storage.as_ref(), services.clock.now()).await?
    {
        show_demo_credentials(&credentials, &services.config.public_url);
    }
    if services.config.clamd_address.is_some() {
        tokio::spawn(background_jobs::rescan_pending_documents(services.clone()));
    }
    let (stop_delivery, delivery_stopping) = tokio::sync::watch::channel(false);
    let delivery = tokio::spawn(background_jobs::deliver_notifications(
        services.clone(),
        delivery_stopping,
    ));
    tokio::spawn(background_jobs::erase_expired_data(services.clone()));
    tokio::spawn(background_jobs::refresh_dashboard(services.clone()));
    tokio::spawn(background_jobs::remove_stale_staging_files(
        services.clone(),
    ));
    let address = services.config.listen_addr;
    let shutdown = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(%address, public_url = %services.config.public_url, "serving");
    let app = router(AppState {
        leptos_options,
        services,
    });
    // The peer address feeds the per-address sign-in throttle and the (hashed) audit log.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    // Messages being sent are recorded before the process ends, so a restart does not send
    // them again (bounded: a relay that hangs is the lease's business).
    let _ = stop_delivery.send(true);
    if tokio::time::timeout(std::time::Duration::from_secs(30), delivery)
        .await
        .is_err()
    {
        tracing::warn!("notification delivery still busy at shutdown");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn create_applicant(config: Config, args: NewApplicantArgs) -> anyhow::Result<()> {
    let services = Services::start(config).await?;
    let registration = NewApplicant {
        foreigner_number: args.foreigner_number,
        file_number: args.file_number,
        given_names: args.given_names,
        family_name: args.family_name,
        date_of_birth: args.date_of_birth,
        preferred_language: args.language,
        electronic_notification: !args.no_electronic_notification,
        given: server::storage::GivenContacts {
            email: args.email,
            phone: args.phone,
        },
    };
    let now = services.clock.now();
    let validity = services.config.connection_key_validity;
    let issued = register_applicant(
        services.storage.as_ref(),
        registration,
        server::storage::Actor::system(),
        validity,
        now,
    )
    .await?;
    if let Some(path) = &args.notice_pdf {
        let pdf = espace_usager::accounts::account_notice::notice_for(
            &issued,
            &services.config.public_url,
        )?;
        std::fs::write(path, pdf)?;
    }
    let _ = writeln!(
        std::io::stdout(),
        "applicant {}\nconnection key {} (valid until {})",
        issued.applicant.id,
        issued.key.display(),
        issued.expires_at.format("%Y-%m-%d")
    );
    Ok(())
}

async fn create_staff(config: Config, email: &str, name: &str, role: &str) -> anyhow::Result<()> {
    let role = server::storage::StaffRole::parse(role)
        .map_err(|_| anyhow::anyhow!("--role must be agent, supervisor or administrator"))?;
    let services = Services::start(config).await?;
    let (member, token) = server::staff::invite(
        services.storage.as_ref(),
        email,
        name,
        role,
        None,
        services.clock.now(),
    )
    .await?;
    let _ = writeln!(
        std::io::stdout(),
        "staff member {} ({})
set-up link (one use, {} hours): {}staff/enrol?token={}",
        member.id,
        role.as_str(),
        server::staff::ENROLMENT_VALIDITY.num_hours(),
        services.config.public_url,
        token.expose()
    );
    Ok(())
}

async fn create_api_key(config: Config, name: &str, scopes: &[String]) -> anyhow::Result<()> {
    use server::back_office_api::api_keys::ApiScope;
    let scopes = scopes
        .iter()
        .map(|text| ApiScope::parse(text).ok_or_else(|| anyhow::anyhow!("unknown scope `{text}`")))
        .collect::<anyhow::Result<Vec<ApiScope>>>()?;
    let services = Services::start(config).await?;
    let (key, secret) = server::back_office_api::api_keys::create(
        services.storage.as_ref(),
        name,
        &scopes,
        server::storage::Actor::system(),
        services.clock.now(),
    )
    .await?;
    let _ = writeln!(
        std::io::stdout(),
        "API key {} ({}, {})
{} (shown once: give it to the back-office system as \
         `Authorization: Bearer …`)",
        key.id,
        key.name,
        key.scopes,
        secret.expose()
    );
    Ok(())
}

async fn lift_locks(
    config: Config,
    foreigner_number: Option<String>,
    email: Option<String>,
) -> anyhow::Result<()> {
    let services = Services::start(config).await?;
    let storage = services.storage.as_ref();
    let lifted = match (foreigner_number, email) {
        (_, Some(email)) => {
            server::staff::lift_staff_locks(storage, &services.keyed_hasher, &email, None).await?
                as u64
        }
        (Some(number), None) => {
            server::accounts::sign_in::lift_locks(
                storage,
                &services.keyed_hasher,
                &number,
                server::storage::ActorKind::System,
                None,
            )
            .await?
        }
        (None, None) => anyhow::bail!("--foreigner-number or --email is needed"),
    };
    let _ = writeln!(std::io::stdout(), "{lifted} lock(s) or count(s) lifted");
    Ok(())
}

async fn verify_audit_log(config: Config) -> anyhow::Result<()> {
    let services = Services::start(config).await?;
    let report = server::audit_chain::verify(services.storage.as_ref()).await?;
    let _ = writeln!(
        std::io::stdout(),
        "audit chain intact: {} event(s), last hash {}",
        report.verified,
        report.last_hash
    );
    Ok(())
}

async fn sweep_orphan_documents(config: Config) -> anyhow::Result<()> {
    let services = Services::start(config).await?;
    let removed = server::documents::orphans::sweep_orphans(
        &services,
        server::documents::orphans::ORPHAN_AGE,
    )
    .await?;
    let _ = writeln!(std::io::stdout(), "{removed} orphan file(s) removed");
    Ok(())
}

/// Every password check allocates Argon2's 19 MiB on a blocking thread. glibc serves such
/// blocks with mmap and unmaps them on free, until the first free raises its threshold above
/// 19 MiB: from then on they come from per-thread arenas that keep them, and the server's
/// memory climbed to 1.4 GB under sign-in load (docs/performance.md). A fixed threshold keeps
/// large blocks mmapped (188 MiB peak, same throughput).
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes an allocator parameter, under the allocator's own lock.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

async fn erase_expired_data(config: Config) -> anyhow::Result<()> {
    let services = Services::start(config).await?;
    let mut total = server::retention::purge::PurgeReport::default();
    loop {
        let report = server::retention::purge::erase_expired(&services).await?;
        total.documents_erased += report.documents_erased;
        total.accounts_erased += report.accounts_erased;
        total.objects_deleted += report.objects_deleted;
        total.objects_left = report.objects_left;
        if !report.was_full() {
            break;
        }
    }
    let _ = writeln!(
        std::io::stdout(),
        "{} account(s) and {} document(s) erased, {} stored file(s) deleted{}",
        total.accounts_erased,
        total.documents_erased,
        total.objects_deleted,
        if total.objects_left > 0 {
            " (the document store refused some: they are deleted on the next run)"
        } else {
            ""
        }
    );
    Ok(())
}

/// Shown once on the console of a developer's first run, never through the log pipeline.
fn show_demo_credentials(credentials: &DemoCredentials, public_url: &url::Url) {
    let text = format!(
        "\n  Demo data created (shown once, not stored in clear anywhere):\n\
         \n    Portal:            {public_url}\
         \n    Staff email:       {}\
         \n    Staff set-up link: {}staff/enrol?token={}\
         \n    Applicant number:  {} (born {})\
         \n    Connection key:    {}\n",
        credentials.staff_email,
        public_url,
        credentials.staff_enrolment_token.expose(),
        credentials.foreigner_number,
        credentials.date_of_birth,
        credentials.connection_key.expose(),
    );
    let _ = writeln!(std::io::stdout(), "{text}");
}
