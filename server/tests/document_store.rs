//! The document store on the local disk and on a real S3-compatible server (moto) on loopback.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use bytes::Bytes;
use server::{
    config::{ObjectStoreConfig, S3Config},
    document_store::{DocumentStore, DocumentStoreError, ObjectKey},
};

async fn store_read_delete(store: &DocumentStore) {
    store.ping().await.expect("store answers");
    let key = ObjectKey::generate("documents");
    let contents = Bytes::from_static(b"%PDF-1.7 test document");
    store.put(&key, contents.clone()).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), contents);
    store.delete(&key).await.unwrap();
    assert!(matches!(
        store.get(&key).await,
        Err(DocumentStoreError::NotFound)
    ));
}

#[tokio::test]
async fn local_folder_stores_reads_and_deletes() {
    let folder = tempfile::tempdir().unwrap();
    let store = DocumentStore::from_config(&ObjectStoreConfig::LocalDirectory(
        folder.path().join("docs"),
    ))
    .unwrap();
    assert_eq!(store.kind(), "local");
    store_read_delete(&store).await;
}

/// A moto server for this test, or the one `TEST_S3_ENDPOINT` names.
struct S3Server {
    endpoint: String,
    child: Option<Child>,
}

impl S3Server {
    fn start() -> S3Server {
        if let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") {
            return S3Server {
                endpoint,
                child: None,
            };
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server is required for the S3 test (`make test` installs it)");
        S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            child: Some(child),
        }
    }

    async fn wait_until_up(&self) {
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(self.endpoint.trim_start_matches("http://"))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("S3 server at {} did not start", self.endpoint);
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

#[tokio::test]
async fn s3_bucket_stores_reads_and_deletes() {
    let server = S3Server::start();
    server.wait_until_up().await;
    let bucket = format!("test-{}", uuid::Uuid::new_v4().simple());
    // moto accepts any credentials; the bucket is created with a plain S3 PUT.
    let status = reqwest::Client::new()
        .put(format!("{}/{bucket}", server.endpoint))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "bucket creation: {status}");

    let config = ObjectStoreConfig::S3(S3Config {
        bucket,
        endpoint: Some(server.endpoint.clone()),
        region: "us-east-1".into(),
        access_key_id: Some("test".into()),
        secret_access_key: Some(server::secret::Secret::new("test")),
        allow_http: true,
    });
    let store = DocumentStore::from_config(&config).unwrap();
    assert_eq!(store.kind(), "s3");
    store_read_delete(&store).await;
}

#[tokio::test]
async fn an_unreachable_s3_server_fails_readiness() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = ObjectStoreConfig::S3(S3Config {
        bucket: "absent".into(),
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: "us-east-1".into(),
        access_key_id: Some("test".into()),
        secret_access_key: Some(server::secret::Secret::new("test")),
        allow_http: true,
    });
    let store = DocumentStore::from_config(&config).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(60), store.ping())
        .await
        .expect("ping gives up");
    assert!(matches!(result, Err(DocumentStoreError::Unavailable(_))));
}
