//! Fresh databases for tests: a temporary SQLite file, or a PostgreSQL schema of its own, so that
//! tests run in parallel without seeing each other's rows.

#![allow(dead_code)]

use std::sync::Arc;

use server::{
    keyed_hash::KeyedHasher,
    storage::{self, Storage},
};
use sqlx::Connection;

/// The PostgreSQL that `make test` provides (or `TEST_POSTGRES_URL`).
pub fn postgres_base_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub struct TestDatabase {
    pub url: String,
    schema: Option<String>,
    _folder: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn sqlite() -> TestDatabase {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = format!(
            "sqlite://{}?mode=rwc",
            folder.path().join("test.db").display()
        );
        TestDatabase {
            url,
            schema: None,
            _folder: Some(folder),
        }
    }

    pub async fn postgres() -> TestDatabase {
        let base = postgres_base_url();
        let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut connection = sqlx::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|error| {
                panic!("PostgreSQL at {base} is required (run `make test`): {error}")
            });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut connection)
            .await
            .expect("create test schema");
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options[search_path]={schema}");
        TestDatabase {
            url,
            schema: Some(schema),
            _folder: None,
        }
    }

    /// Another handle on an existing database (a second instance); dropping it drops nothing.
    pub fn same_as(url: &str) -> TestDatabase {
        TestDatabase {
            url: url.to_owned(),
            schema: None,
            _folder: None,
        }
    }

    pub async fn storage(&self) -> Arc<dyn Storage> {
        self.storage_on(server::clock::Clock::system()).await
    }

    /// The storage, stamping its rows with `clock`'s time.
    pub async fn storage_on(&self, clock: server::clock::Clock) -> Arc<dyn Storage> {
        let storage = storage::connect(&self.url, clock).await.expect("connect");
        storage.migrate().await.expect("migrate");
        storage
    }

    /// An id as a literal of this engine, for raw SQL (SQLite keeps ids as 16-byte blobs).
    pub fn uuid_literal(&self, id: uuid::Uuid) -> String {
        if self.url.starts_with("sqlite") {
            format!("x'{}'", id.simple())
        } else {
            format!("'{id}'")
        }
    }

    /// Runs SQL over a connection of its own, outside the storage layer (to prove what the
    /// schema itself refuses).
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        if self.url.starts_with("sqlite:") {
            let mut connection = sqlx::SqliteConnection::connect(&self.url).await?;
            Ok(sqlx::query(sql)
                .execute(&mut connection)
                .await?
                .rows_affected())
        } else {
            let mut connection = sqlx::PgConnection::connect(&self.url).await?;
            Ok(sqlx::query(sql)
                .execute(&mut connection)
                .await?
                .rows_affected())
        }
    }

    /// Drops the PostgreSQL schema (SQLite files go with their temporary folder).
    pub async fn drop(self) {
        if let Some(schema) = &self.schema {
            let mut connection = sqlx::PgConnection::connect(&postgres_base_url())
                .await
                .expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut connection)
                .await
                .expect("drop test schema");
        }
    }
}

/// Declares one test per engine from one body: `both_engines!(name, |storage| async move { ... });`
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let database = support::TestDatabase::sqlite().await;
                let storage = database.storage().await;
                ($body)(storage.clone()).await;
                storage.close().await;
                database.drop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let database = support::TestDatabase::postgres().await;
                let storage = database.storage().await;
                ($body)(storage.clone()).await;
                storage.close().await;
                database.drop().await;
            }
        }
    };
}

/// A hasher with a random key: throttle rows of one call never meet those of another, for tests
/// that make many failed attempts on purpose and are not about throttling.
pub fn unrelated_hasher() -> KeyedHasher {
    KeyedHasher::new(uuid::Uuid::new_v4().as_bytes().repeat(2))
}

/// A moto server for one test, or the one `TEST_S3_ENDPOINT` names.
pub struct S3Server {
    pub endpoint: String,
    child: Option<std::process::Child>,
}

impl S3Server {
    pub fn start() -> S3Server {
        use std::process::{Command, Stdio};
        if let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") {
            return S3Server {
                endpoint,
                child: None,
            };
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server is required for the S3 tests (`make test` installs it)");
        S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            child: Some(child),
        }
    }

    pub async fn wait_until_up(&self) {
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(self.endpoint.trim_start_matches("http://"))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("S3 server at {} did not start", self.endpoint);
    }

    /// A new bucket (moto accepts any credentials; a plain S3 PUT creates it).
    pub async fn create_bucket(&self) -> String {
        let bucket = format!("test-{}", uuid::Uuid::new_v4().simple());
        let status = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "bucket creation: {status}");
        bucket
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A real ClamAV daemon (Debian's `clamd`, installed by `make setup-test`) on a loopback port,
/// with one signature of its own instead of the downloaded database: it matches files that
/// contain `Clamd::TEST_SIGNATURE`. Stopped when dropped.
pub struct Clamd {
    process: std::process::Child,
    pub port: u16,
    _folder: tempfile::TempDir,
}

impl Clamd {
    pub const TEST_SIGNATURE: &'static str = "ESPACE-USAGER-TEST-SIGNATURE";

    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .expect("a free port")
    }

    pub async fn start(port: u16) -> Clamd {
        let binary = "/usr/sbin/clamd";
        assert!(
            std::path::Path::new(binary).exists(),
            "clamd is missing: run `make setup-test` (it installs Debian's clamav-daemon)"
        );
        let folder = tempfile::tempdir().expect("temporary folder");
        let hex: String = Self::TEST_SIGNATURE
            .bytes()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        std::fs::write(
            folder.path().join("test.ndb"),
            format!("EspaceUsager.Test.Signature:0:*:{hex}\n"),
        )
        .unwrap();
        let dir = folder.path().display();
        std::fs::write(
            folder.path().join("clamd.conf"),
            format!(
                "Foreground yes\nDatabaseDirectory {dir}\nTCPSocket {port}\nTCPAddr 127.0.0.1\n\
                 LogFile {dir}/clamd.log\nPidFile {dir}/clamd.pid\nTemporaryDirectory {dir}\n"
            ),
        )
        .unwrap();
        let mut process = std::process::Command::new(binary)
            .arg("-c")
            .arg(folder.path().join("clamd.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("clamd starts");
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Clamd {
                    process,
                    port,
                    _folder: folder,
                };
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let _ = process.kill();
        let _ = process.wait();
        panic!("clamd did not start on port {port}");
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
