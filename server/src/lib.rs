//! The server side of Espace usager: configuration, storage, domain services and HTTP plumbing.
//! No user interface lives here; the Leptos pages in `app` call into these services.

pub mod accounts;
pub mod audit_chain;
pub mod back_office_api;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod data_generator;
pub mod demo;
pub mod documents;
pub mod http;
pub mod keyed_hash;
pub mod notifications;
pub mod printable;
pub mod random_token;
pub mod retention;
pub mod secret;
pub mod staff;
pub mod storage;
pub mod telemetry;

pub use untrusted_input::{connection_key, session_token, signing_keys};

refusal::refused_by_code!(
    accounts::activation::ActivationError,
    accounts::contact::ContactError,
    accounts::one_time_code::CodeError,
    accounts::password_reset::ResetError,
    accounts::postal_address::DeclareError,
    accounts::registration::RegistrationError,
    accounts::sign_in::SignInError,
    back_office_api::api_keys::ApiKeyError,
    documents::publishing::PublishError,
    documents::withdrawal::WithdrawError,
    retention::ClosureError,
    staff::StaffError,
);

use std::sync::Arc;

use clock::Clock;
use config::Config;
use documents::document_store::{DocumentStore, DocumentStoreError};
use documents::encryption::MasterKeys;
use keyed_hash::KeyedHasher;
use notifications::{
    mailer::{MailError, Mailer},
    sms, web_push,
};
use signing_keys::{SigningKeyError, SigningKeys};
use storage::{Storage, StorageError};

/// Everything a request handler or job may use; cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub config: Arc<Config>,
    pub storage: Arc<dyn Storage>,
    pub documents: DocumentStore,
    pub mailer: Mailer,
    pub sms: sms::SmsSender,
    pub push: web_push::PushSender,
    pub signing_keys: Arc<SigningKeys>,
    /// Hashes client addresses and typed identifiers (audit log, throttles).
    pub keyed_hasher: KeyedHasher,
    /// Wrap each document's own encryption key.
    pub master_keys: MasterKeys,
    pub clock: Clock,
}

/// Why the server could not start, as one sentence for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the database named by DATABASE_URL could not be opened: {0}")]
    Database(#[source] StorageError),
    #[error("the document store named by EU_OBJECT_STORE_URL could not be opened: {0}")]
    DocumentStore(#[source] DocumentStoreError),
    #[error("the mail transport could not be set up: {0}")]
    Mail(#[source] MailError),
    #[error("the SMS gateway could not be set up: {0}")]
    Sms(#[source] sms::SmsError),
    #[error("the Web Push key could not be loaded: {0}")]
    Push(#[source] std::io::Error),
    #[error("the data folder named by EU_DATA_DIR cannot be used: {0}")]
    DataDir(#[source] std::io::Error),
    #[error("the signing keys could not be loaded: {0}")]
    SigningKeys(#[source] SigningKeyError),
    #[error("the document master keys could not be loaded: {0}")]
    DocumentKeys(#[source] SigningKeyError),
    #[error("the audit hashing key could not be loaded: {0}")]
    HashKey(#[source] std::io::Error),
}

impl Services {
    /// Opens every dependency and brings the database schema up to date.
    pub async fn start(config: Config) -> Result<Services, StartupError> {
        Services::start_with_clock(config, Clock::system()).await
    }

    /// As `start`, with the clock tests move to check time-based rules.
    pub async fn start_with_clock(config: Config, clock: Clock) -> Result<Services, StartupError> {
        prepare_data_dir(&config.data_dir).map_err(StartupError::DataDir)?;
        let storage = storage::connect(config.database_url.expose(), clock.clone())
            .await
            .map_err(StartupError::Database)?;
        storage.migrate().await.map_err(StartupError::Database)?;
        let documents = DocumentStore::from_config(&config.object_store)
            .map_err(StartupError::DocumentStore)?;
        let mailer =
            Mailer::from_config(&config.mail, &config.mail_from).map_err(StartupError::Mail)?;
        let sms = sms::SmsSender::from_config(&config.sms).map_err(StartupError::Sms)?;
        let vapid_key = web_push::VapidKey::load_or_create(&config.vapid_key_file())
            .map_err(StartupError::Push)?;
        let push = web_push::PushSender::new(vapid_key, config.public_url.as_str())
            .map_err(|error| StartupError::Push(std::io::Error::other(error.to_string())))?;
        let signing_keys = SigningKeys::load_or_create(&config.signing_keys_dir())
            .map_err(StartupError::SigningKeys)?;
        let keyed_hasher = KeyedHasher::load_or_create(&config.keyed_hash_file())
            .map_err(StartupError::HashKey)?;
        let master_keys = SigningKeys::load_or_create(&config.document_keys_dir())
            .map(MasterKeys::new)
            .map_err(StartupError::DocumentKeys)?;
        tracing::info!(
            database = storage.engine(),
            documents = documents.kind(),
            mail = mailer.kind(),
            sms = sms.kind(),
            "services ready"
        );
        Ok(Services {
            config: Arc::new(config),
            storage,
            documents,
            mailer,
            sms,
            push,
            signing_keys: Arc::new(signing_keys),
            keyed_hasher,
            master_keys,
            clock,
        })
    }

    /// Session tokens signed with this deployment's keys, naming its public origin.
    pub fn session_tokens(&self) -> session_token::SessionTokens<'_> {
        session_token::SessionTokens::new(&self.signing_keys, self.config.public_url.as_str())
    }
}

/// The data folder holds the database, documents and outgoing mail of asylum seekers: readable
/// by the server's user only. Files created inside inherit nothing, so the folder is the fence.
fn prepare_data_dir(folder: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if !folder.exists() {
        std::fs::create_dir_all(folder)?;
    }
    let mode = std::fs::metadata(folder)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}
