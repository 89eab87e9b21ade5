//! Configuration from environment variables (and an optional `.env` file).
//!
//! Every value has an embedded default so that a newcomer runs the portal with nothing installed;
//! production mode tightens the rules. Errors name the variable in one sentence.

use std::{fmt, net::SocketAddr, path::PathBuf};

use url::Url;

use crate::secret::Secret;

/// Whether the instance serves real applicants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Whether to create the demo staff member and applicant on first start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoData {
    /// Create them when the database has no staff member yet (development only).
    Auto,
    Off,
}

#[derive(Debug, Clone)]
pub enum ObjectStoreConfig {
    LocalDirectory(PathBuf),
    S3(S3Config),
}

#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    pub allow_http: bool,
}

#[derive(Debug, Clone)]
pub enum MailConfig {
    /// One `.eml` file per message in this folder.
    Outbox(PathBuf),
    /// An SMTP relay, as a lettre URL (`smtp://`, `smtps://`, with credentials and `?tls=`).
    Smtp(Secret),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub data_dir: PathBuf,
    /// Contains credentials for PostgreSQL, so it is kept secret.
    pub database_url: Secret,
    pub object_store: ObjectStoreConfig,
    pub mail: MailConfig,
    pub mail_from: String,
    /// One subject for every notification email, in place of the translated one
    /// (`EU_MAIL_SUBJECT`): an office may want a line that says even less on a shared screen.
    pub mail_subject: Option<String>,
    pub sms: crate::notifications::sms::SmsConfig,
    pub public_url: Url,
    pub listen_addr: SocketAddr,
    pub log_format: LogFormat,
    pub demo_data: DemoData,
    pub body_limit_bytes: usize,
    /// Largest document accepted (a PDF), `EU_MAX_DOCUMENT_MB`, 20 MB by default.
    pub max_document_bytes: u64,
    /// Days after a notifying document was made available on which an applicant who has not
    /// opened it is reminded (`EU_REMINDER_DAYS`, "3,7,12" by default).
    pub reminder_days: Vec<i64>,
    /// How long a notification being sent is left to its worker before another instance may
    /// take it (`EU_NOTIFICATION_LEASE_SECONDS`, 120 by default): longer than one send can
    /// take (SMTP commands time out after 60 s, the SMS gateway after 15 s), and all that a
    /// message waits after its worker died.
    pub notification_lease: chrono::Duration,
    /// The push services a Web Push subscription may point at (`EU_PUSH_SERVICES`).
    pub push_services: crate::notifications::web_push::PushServices,
    /// A ClamAV daemon to scan every upload (`EU_CLAMD_ADDR`, `host:port`); none by default.
    pub clamd_address: Option<String>,
    /// Reverse proxies in front of the app whose `X-Forwarded-For` entry is believed.
    pub trusted_proxy_hops: usize,
    /// How long a new connection key works before the applicant must ask for another.
    pub connection_key_validity: chrono::Duration,
    /// Where cargo-leptos puts the compiled front end (`/pkg`) and the public assets.
    pub site_root: PathBuf,
    /// Where applicants reach the office (help page, accessibility statement).
    pub office_contact: crate::notifications::office_contact::OfficeContact,
    /// How long closed accounts and some kinds of document are kept (`retention::policy`).
    pub retention: crate::retention::RetentionPolicy,
}

/// A configuration mistake, named after the variable that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}.", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub(crate) fn new(variable: &'static str, problem: impl Into<String>) -> ConfigError {
        invalid(variable, problem)
    }
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// `EU_SMS_GATEWAY_URL` (an http or https address taking a JSON POST) with its bearer token
/// `EU_SMS_GATEWAY_TOKEN`; without them, texts go to the outbox folder beside the emails.
fn parse_sms(
    data_dir: &std::path::Path,
    var: &impl Fn(&str) -> Option<String>,
) -> Result<crate::notifications::sms::SmsConfig, ConfigError> {
    use crate::notifications::sms::SmsConfig;
    let Some(url) = var("EU_SMS_GATEWAY_URL") else {
        return Ok(SmsConfig::Outbox(data_dir.join("outbox")));
    };
    let url = Url::parse(url.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        .ok_or_else(|| {
            invalid(
                "EU_SMS_GATEWAY_URL",
                "must be an http or https address such as https://sms.example.org/send",
            )
        })?;
    let token = var("EU_SMS_GATEWAY_TOKEN").ok_or_else(|| {
        invalid(
            "EU_SMS_GATEWAY_TOKEN",
            "must be set to the gateway's bearer token when EU_SMS_GATEWAY_URL is",
        )
    })?;
    let sender = var("EU_SMS_SENDER").unwrap_or_else(|| "Portail".into());
    let sender_ok = (1..=11).contains(&sender.chars().count())
        && sender
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ');
    if !sender_ok {
        return Err(invalid(
            "EU_SMS_SENDER",
            "must be 1 to 11 letters, digits or spaces (what the phone shows as the sender)",
        ));
    }
    Ok(SmsConfig::Gateway {
        url,
        token: Secret::new(token.trim().to_owned()),
        sender,
    })
}

pub const DEFAULT_BODY_LIMIT_BYTES: usize = 25 * 1024 * 1024;

impl Config {
    /// Reads the process environment, after loading `.env` from the working folder when present.
    pub fn from_env() -> Result<Config, ConfigError> {
        // A missing .env is the normal case; a malformed one is a mistake worth stopping for.
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(error) if error.not_found() => {}
            Err(error) => return Err(invalid(".env", format!("cannot be read: {error}"))),
        }
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable source, so that tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let mode = match var("EU_MODE").as_deref() {
            None | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(_) => return Err(invalid("EU_MODE", "must be `development` or `production`")),
        };
        let data_dir = PathBuf::from(var("EU_DATA_DIR").unwrap_or_else(|| "data".into()));

        let database_url = match var("DATABASE_URL") {
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("espace-usager.db").display()
            ),
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => {
                return Err(invalid(
                    "DATABASE_URL",
                    "must start with `sqlite:` or `postgres://`",
                ));
            }
        };

        let object_store = match var("EU_OBJECT_STORE_URL") {
            None => ObjectStoreConfig::LocalDirectory(data_dir.join("documents")),
            Some(url) => parse_object_store(&url, &var)?,
        };

        let mail = match var("EU_SMTP_URL") {
            None => MailConfig::Outbox(data_dir.join("outbox")),
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                MailConfig::Smtp(Secret::new(url))
            }
            Some(_) => {
                return Err(invalid(
                    "EU_SMTP_URL",
                    "must start with `smtp://` or `smtps://`",
                ));
            }
        };
        let mail_from =
            var("EU_MAIL_FROM").unwrap_or_else(|| "Espace usager <no-reply@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "EU_MAIL_FROM",
                "must be an address such as `Name <name@example.org>`",
            ));
        }

        let mail_subject = match var("EU_MAIL_SUBJECT") {
            None => None,
            Some(subject)
                if subject.trim().chars().count() <= 120
                    && !subject.chars().any(char::is_control) =>
            {
                Some(subject.trim().to_owned())
            }
            Some(_) => {
                return Err(invalid(
                    "EU_MAIL_SUBJECT",
                    "must be one line of 1 to 120 characters",
                ));
            }
        };

        let sms = parse_sms(&data_dir, &var)?;
        let office_contact =
            crate::notifications::office_contact::OfficeContact::from_lookup(mode, var)?;
        let retention = crate::retention::RetentionPolicy::from_lookup(var)?;

        let public_url_text =
            var("EU_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into());
        let public_url = Url::parse(&public_url_text)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .ok_or_else(|| {
                invalid(
                    "EU_PUBLIC_URL",
                    "must be an http or https address such as https://portal.example.org",
                )
            })?;

        let listen_text = var("EU_LISTEN_ADDR")
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let listen_addr = listen_text.parse().map_err(|_| {
            invalid(
                "EU_LISTEN_ADDR",
                "must be an address and port such as 127.0.0.1:3000",
            )
        })?;

        let log_format = match var("EU_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(invalid("EU_LOG_FORMAT", "must be `text` or `json`")),
        };

        let demo_data = match var("EU_DEMO_DATA").as_deref() {
            None if mode == Mode::Production => DemoData::Off,
            None | Some("auto") => DemoData::Auto,
            Some("off") => DemoData::Off,
            Some(_) => return Err(invalid("EU_DEMO_DATA", "must be `auto` or `off`")),
        };

        let body_limit_bytes = match var("EU_BODY_LIMIT_BYTES") {
            None => DEFAULT_BODY_LIMIT_BYTES,
            Some(text) => text
                .parse()
                .ok()
                .filter(|bytes| *bytes >= 1024)
                .ok_or_else(|| {
                    invalid(
                        "EU_BODY_LIMIT_BYTES",
                        "must be a number of bytes of at least 1024",
                    )
                })?,
        };

        let max_document_bytes = match var("EU_MAX_DOCUMENT_MB") {
            None => 20 * 1024 * 1024,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|megabytes| (1..=1024).contains(megabytes))
                .map(|megabytes| megabytes * 1024 * 1024)
                .ok_or_else(|| {
                    invalid(
                        "EU_MAX_DOCUMENT_MB",
                        "must be a number of megabytes from 1 to 1024",
                    )
                })?,
        };

        let reminder_days = match var("EU_REMINDER_DAYS") {
            None => vec![3, 7, 12],
            Some(text) if text.trim().is_empty() => Vec::new(),
            Some(text) => {
                let days: Option<Vec<i64>> = text
                    .split(',')
                    .map(|day| {
                        day.trim()
                            .parse::<i64>()
                            .ok()
                            .filter(|day| (1..15).contains(day))
                    })
                    .collect();
                days.filter(|days| days.windows(2).all(|pair| pair[0] < pair[1]))
                    .ok_or_else(|| {
                        invalid(
                            "EU_REMINDER_DAYS",
                            "must be days from 1 to 14 in increasing order, for example 3,7,12",
                        )
                    })?
            }
        };

        let notification_lease = match var("EU_NOTIFICATION_LEASE_SECONDS") {
            None => chrono::Duration::seconds(120),
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|seconds| (1..=3600).contains(seconds))
                .map(chrono::Duration::seconds)
                .ok_or_else(|| {
                    invalid(
                        "EU_NOTIFICATION_LEASE_SECONDS",
                        "must be a number of seconds from 1 to 3600",
                    )
                })?,
        };

        let push_services = crate::notifications::web_push::PushServices::parse(
            &var("EU_PUSH_SERVICES")
                .unwrap_or_else(|| crate::notifications::web_push::DEFAULT_PUSH_SERVICES.to_owned()),
        )
        .ok_or_else(|| {
            invalid(
                "EU_PUSH_SERVICES",
                "must be origins separated by commas, such as https://fcm.googleapis.com,https://*.push.apple.com",
            )
        })?;

        let clamd_address = match var("EU_CLAMD_ADDR") {
            None => None,
            Some(text) if text.trim().is_empty() => None,
            Some(text) => {
                let address = text.trim();
                let valid = address
                    .rsplit_once(':')
                    .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
                if !valid {
                    return Err(invalid(
                        "EU_CLAMD_ADDR",
                        "must be the ClamAV daemon's host:port, for example 127.0.0.1:3310",
                    ));
                }
                Some(address.to_owned())
            }
        };

        let trusted_proxy_hops = match var("EU_TRUSTED_PROXY_HOPS") {
            None => 0,
            Some(text) => text.parse().ok().filter(|hops| *hops <= 5).ok_or_else(|| {
                invalid(
                    "EU_TRUSTED_PROXY_HOPS",
                    "must be the number of reverse proxies in front of the app, from 0 to 5",
                )
            })?,
        };

        let connection_key_validity = match var("EU_CONNECTION_KEY_DAYS") {
            None => chrono::Duration::days(30),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|days| (1..=365).contains(days))
                .map(chrono::Duration::days)
                .ok_or_else(|| {
                    invalid(
                        "EU_CONNECTION_KEY_DAYS",
                        "must be a number of days from 1 to 365",
                    )
                })?,
        };

        let site_root =
            PathBuf::from(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()));

        let config = Config {
            mode,
            data_dir,
            database_url: Secret::new(database_url),
            object_store,
            mail,
            mail_from,
            mail_subject,
            sms,
            public_url,
            listen_addr,
            log_format,
            demo_data,
            body_limit_bytes,
            max_document_bytes,
            reminder_days,
            notification_lease,
            push_services,
            clamd_address,
            trusted_proxy_hops,
            office_contact,
            connection_key_validity,
            site_root,
            retention,
        };
        config.check_production()?;
        Ok(config)
    }

    /// Production refuses what is only safe on a developer's machine.
    fn check_production(&self) -> Result<(), ConfigError> {
        if self.mode != Mode::Production {
            return Ok(());
        }
        if self.demo_data != DemoData::Off {
            return Err(invalid("EU_DEMO_DATA", "must be `off` in production"));
        }
        if self.public_url.scheme() != "https" {
            return Err(invalid(
                "EU_PUBLIC_URL",
                "must be an https address in production",
            ));
        }
        match &self.mail {
            MailConfig::Outbox(_) => {
                return Err(invalid(
                    "EU_SMTP_URL",
                    "must name an SMTP relay in production",
                ));
            }
            // Addresses and the portal's link would otherwise cross the network in clear.
            MailConfig::Smtp(url) if !smtp_url_requires_tls(url.expose()) => {
                return Err(invalid(
                    "EU_SMTP_URL",
                    "must use TLS in production (`smtps://…` or `smtp://…?tls=required`)",
                ));
            }
            MailConfig::Smtp(_) => {}
        }
        // Codes sent to a folder would never reach a phone.
        if matches!(self.sms, crate::notifications::sms::SmsConfig::Outbox(_)) {
            return Err(invalid(
                "EU_SMS_GATEWAY_URL",
                "must name an SMS gateway in production",
            ));
        }
        Ok(())
    }

    /// Whether cookies may carry the `Secure` flag and HSTS may be sent.
    pub fn serves_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// Master keys that wrap each document's own key; the newest wraps, all unwrap.
    pub fn document_keys_dir(&self) -> PathBuf {
        self.data_dir.join("document-keys")
    }

    /// Requests that carry documents may hold several at once (a bulk upload).
    pub fn upload_request_limit_bytes(&self) -> u64 {
        self.max_document_bytes * 10 + 1024 * 1024
    }

    /// A bulk call of the back-office API: up to `MAX_BULK_DOCUMENTS` files of the largest size.
    pub fn bulk_request_limit_bytes(&self) -> u64 {
        self.max_document_bytes
            .saturating_mul(crate::documents::bulk_manifest::MAX_BULK_DOCUMENTS as u64)
            .saturating_add(16 * 1024 * 1024)
    }

    pub fn signing_keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }

    /// Beside the signing keys (so shared the same way), but never rotated: rotating it would
    /// unlink audit events and throttles from the addresses and numbers they hash.
    pub fn keyed_hash_file(&self) -> PathBuf {
        self.signing_keys_dir().join("audit-hash.secret")
    }

    /// The Web Push (VAPID) key, beside the others: browsers subscribed with its public half, so
    /// it is kept, not rotated.
    pub fn vapid_key_file(&self) -> PathBuf {
        self.signing_keys_dir().join("vapid.secret")
    }
}

fn parse_object_store(
    url: &str,
    var: &impl Fn(&str) -> Option<String>,
) -> Result<ObjectStoreConfig, ConfigError> {
    if let Some(path) = url.strip_prefix("file://") {
        return Ok(ObjectStoreConfig::LocalDirectory(PathBuf::from(path)));
    }
    let Some(bucket) = url.strip_prefix("s3://") else {
        return Err(invalid(
            "EU_OBJECT_STORE_URL",
            "must be `file:///a/folder` or `s3://bucket-name`",
        ));
    };
    let bucket = bucket.trim_end_matches('/');
    if bucket.is_empty() || bucket.contains('/') {
        return Err(invalid(
            "EU_OBJECT_STORE_URL",
            "must name one bucket, as in `s3://bucket-name`",
        ));
    }
    let allow_http = match var("EU_S3_ALLOW_HTTP").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(invalid("EU_S3_ALLOW_HTTP", "must be `true` or `false`")),
    };
    Ok(ObjectStoreConfig::S3(S3Config {
        bucket: bucket.to_owned(),
        endpoint: var("EU_S3_ENDPOINT"),
        region: var("EU_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id: var("EU_S3_ACCESS_KEY_ID"),
        secret_access_key: var("EU_S3_SECRET_ACCESS_KEY").map(Secret::new),
        allow_http,
    }))
}

/// `smtps://` (TLS from the first byte) or `smtp://` with STARTTLS required, as lettre reads
/// its URLs; opportunistic or no TLS is refused.
fn smtp_url_requires_tls(url: &str) -> bool {
    if url.starts_with("smtps://") {
        return true;
    }
    Url::parse(url).is_ok_and(|url| {
        url.query_pairs()
            .any(|(name, value)| name == "tls" && value == "required")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn no_configuration_gives_embedded_defaults() {
        let config = config_from(&[]).unwrap();
        assert_eq!(config.mode, Mode::Development);
        assert!(config.database_url.expose().starts_with("sqlite://data/"));
        assert!(
            matches!(config.object_store, ObjectStoreConfig::LocalDirectory(ref dir) if dir.ends_with("documents"))
        );
        assert!(matches!(config.mail, MailConfig::Outbox(ref dir) if dir.ends_with("outbox")));
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.demo_data, DemoData::Auto);
        assert!(!config.serves_https());
    }

    #[test]
    fn bad_values_name_their_variable_in_one_sentence() {
        let cases = [
            ("DATABASE_URL", "mysql://x"),
            ("EU_MODE", "prod"),
            ("EU_LISTEN_ADDR", "localhost"),
            ("EU_PUBLIC_URL", "portal"),
            ("EU_OBJECT_STORE_URL", "gs://bucket"),
            ("EU_SMTP_URL", "mail.example.org"),
            ("EU_LOG_FORMAT", "xml"),
            ("EU_BODY_LIMIT_BYTES", "ten"),
            ("EU_MAIL_FROM", "not an address"),
            ("EU_TRUSTED_PROXY_HOPS", "9"),
            ("EU_CONNECTION_KEY_DAYS", "0"),
        ];
        for (variable, value) in cases {
            let error = config_from(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable);
            let sentence = error.to_string();
            assert!(
                sentence.starts_with(variable) && sentence.ends_with('.'),
                "{sentence}"
            );
        }
    }

    #[test]
    fn connection_keys_last_30_days_unless_configured() {
        assert_eq!(
            config_from(&[]).unwrap().connection_key_validity,
            chrono::Duration::days(30)
        );
        assert_eq!(
            config_from(&[("EU_CONNECTION_KEY_DAYS", "14")])
                .unwrap()
                .connection_key_validity,
            chrono::Duration::days(14)
        );
    }

    #[test]
    fn production_refuses_demo_data_and_plain_http() {
        let https = [
            ("EU_MODE", "production"),
            ("EU_PUBLIC_URL", "https://portal.example.org"),
            ("EU_SMTP_URL", "smtp://relay.example.org:587?tls=required"),
            ("EU_SMS_GATEWAY_URL", "https://sms.example.org/send"),
            ("EU_SMS_GATEWAY_TOKEN", "sms-token"),
        ];
        let config = config_from(&https).unwrap();
        assert_eq!(config.demo_data, DemoData::Off);
        assert!(!format!("{config:?}").contains("sms-token"));
        assert_eq!(
            config_from(&https[..3]).unwrap_err().variable,
            "EU_SMS_GATEWAY_URL"
        );
        assert_eq!(
            config_from(&https[..4]).unwrap_err().variable,
            "EU_SMS_GATEWAY_TOKEN"
        );

        let mut with_demo = https.to_vec();
        with_demo.push(("EU_DEMO_DATA", "auto"));
        assert_eq!(
            config_from(&with_demo).unwrap_err().variable,
            "EU_DEMO_DATA"
        );

        let plain = [
            ("EU_MODE", "production"),
            ("EU_SMTP_URL", "smtp://relay:25"),
        ];
        assert_eq!(config_from(&plain).unwrap_err().variable, "EU_PUBLIC_URL");

        for relay in ["smtp://relay:25", "smtp://relay:587?tls=opportunistic"] {
            let mut clear_relay = https.to_vec();
            clear_relay[2] = ("EU_SMTP_URL", relay);
            assert_eq!(
                config_from(&clear_relay).unwrap_err().variable,
                "EU_SMTP_URL",
                "{relay}"
            );
        }
        let mut tls_relay = https.to_vec();
        tls_relay[2] = ("EU_SMTP_URL", "smtps://relay:465");
        assert!(config_from(&tls_relay).is_ok());
    }

    #[test]
    fn the_email_subject_can_be_set_once_for_every_language() {
        assert_eq!(config_from(&[]).unwrap().mail_subject, None);
        assert_eq!(
            config_from(&[("EU_MAIL_SUBJECT", "Espace usager")])
                .unwrap()
                .mail_subject
                .as_deref(),
            Some("Espace usager")
        );
        // An empty value means unset, as for every variable.
        assert_eq!(
            config_from(&[("EU_MAIL_SUBJECT", " ")])
                .unwrap()
                .mail_subject,
            None
        );
        let too_long = "x".repeat(121);
        for bad in ["two\r\nlines", too_long.as_str()] {
            assert_eq!(
                config_from(&[("EU_MAIL_SUBJECT", bad)])
                    .unwrap_err()
                    .variable,
                "EU_MAIL_SUBJECT"
            );
        }
    }

    #[test]
    fn s3_store_reads_its_variables() {
        let config = config_from(&[
            ("EU_OBJECT_STORE_URL", "s3://documents"),
            ("EU_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("EU_S3_ALLOW_HTTP", "true"),
            ("EU_S3_SECRET_ACCESS_KEY", "very-secret"),
        ])
        .unwrap();
        let ObjectStoreConfig::S3(s3) = config.object_store else {
            panic!("expected S3")
        };
        assert_eq!(s3.bucket, "documents");
        assert!(s3.allow_http);
        assert_eq!(s3.region, "us-east-1");
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let config = config_from(&[
            ("DATABASE_URL", "postgres://app:hunter2@db/portal"),
            ("EU_SMTP_URL", "smtp://mailer:smtp-pass@relay:587"),
            ("EU_OBJECT_STORE_URL", "s3://documents"),
            ("EU_S3_SECRET_ACCESS_KEY", "s3-secret-value"),
        ])
        .unwrap();
        let debug = format!("{config:?}");
        for secret in ["hunter2", "smtp-pass", "s3-secret-value"] {
            assert!(!debug.contains(secret), "{secret} leaked in {debug}");
        }
    }
}
