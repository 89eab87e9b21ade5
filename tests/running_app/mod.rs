//! The real application on a random port, for integration tests: started against a test
//! database, with its own data folder (keys, outbox), and reached with a real HTTP client.

#![allow(dead_code)]

use std::{collections::HashMap, net::SocketAddr, path::PathBuf};

use espace_usager::startup::{AppState, leptos_options, router};
use server::{Services, config::Config};

use crate::support;

pub mod visitors;

pub struct TestApp {
    pub address: SocketAddr,
    pub services: Services,
    pub database: support::TestDatabase,
    data: tempfile::TempDir,
}

impl TestApp {
    pub async fn start(database: support::TestDatabase, extra: &[(&str, &str)]) -> TestApp {
        let data = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut vars: HashMap<String, String> = HashMap::from([
            ("EU_DATA_DIR".into(), data.path().display().to_string()),
            ("DATABASE_URL".into(), database.url.clone()),
            ("EU_PUBLIC_URL".into(), format!("http://{address}")),
            ("EU_LISTEN_ADDR".into(), address.to_string()),
        ]);
        for (key, value) in extra {
            vars.insert(key.to_string(), value.to_string());
        }
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let leptos_options = leptos_options(&config);
        let services = Services::start_with_clock(config, server::clock::Clock::adjustable())
            .await
            .unwrap();
        let app = router(AppState {
            leptos_options,
            services: services.clone(),
        });
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap()
        });
        TestApp {
            address,
            services,
            database,
            data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A client that never follows redirects, and gives up on an answer after a minute, so a
    /// request that hangs fails its test instead of holding CI until its deadline.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap()
    }

    pub async fn stop(self) {
        self.services.storage.close().await;
        self.database.drop().await;
    }
}

/// Runs a test body against the app on each database engine.
macro_rules! on_both_engines {
    ($name:ident, $extra:expr, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let app = TestApp::start(support::TestDatabase::sqlite().await, $extra).await;
                ($body)(&app).await;
                app.stop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let app = TestApp::start(support::TestDatabase::postgres().await, $extra).await;
                ($body)(&app).await;
                app.stop().await;
            }
        }
    };
}

/// Registers an applicant directly in storage; returns the printed connection key.
pub async fn register_applicant(app: &TestApp, number: &str) -> String {
    let key = server::connection_key::ConnectionKey::generate();
    app.services
        .storage
        .create_applicant(
            &server::storage::NewApplicant {
                foreigner_number: Some(number.into()),
                file_number: None,
                given_names: "Nour".into(),
                family_name: "Test".into(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(2000, 2, 29).unwrap(),
                preferred_language: "fr".into(),
                electronic_notification: true,
                given: Default::default(),
            },
            &server::storage::NewConnectionKey {
                key_hash: key.hash(),
                expires_at: chrono::Utc::now() + chrono::Duration::days(30),
            },
        )
        .await
        .unwrap();
    key.display()
}

impl TestApp {
    /// The app's data folder (keys, outbox).
    pub fn data_path(&self) -> &std::path::Path {
        self.data.path()
    }

    /// The messages the app wrote to its outbox, oldest first, as raw text.
    pub fn outbox(&self) -> Vec<String> {
        let folder: PathBuf = self.data.path().join("outbox");
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .map(|entries| entries.filter_map(Result::ok).collect())
            .unwrap_or_default();
        files.sort_by_key(|entry| entry.metadata().and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "eml"))
            .map(|entry| std::fs::read_to_string(entry.path()).unwrap())
            .collect()
    }

    /// The newest message with quoted-printable undone (soft line breaks, `=XX` bytes), so
    /// that links and accented text can be searched for.
    pub fn last_message_decoded(&self) -> String {
        let raw = self.outbox().pop().expect("a message in the outbox");
        let joined = raw.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut index = 0;
        while index < bytes.len() {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|pair| std::str::from_utf8(pair).ok())
                .and_then(|pair| u8::from_str_radix(pair, 16).ok());
            match (bytes[index], hex) {
                (b'=', Some(byte)) => {
                    out.push(byte);
                    index += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    index += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The six digits in the newest message of the outbox, and its recipient line.
    pub fn last_code(&self) -> (String, String) {
        let message = self.outbox().pop().expect("a message in the outbox");
        let to = message
            .lines()
            .find(|line| line.starts_with("To:"))
            .unwrap_or_default()
            .to_owned();
        // "... code is: 123456" / "... code est : 123456": six digits right after ": ", which
        // no header of ours has (ids and boundaries hold hex runs that could pass for a code).
        let code = message
            .split(": ")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .find(|digits| digits.len() == 6)
            .expect("a six-digit code")
            .to_owned();
        (code, to)
    }
}
