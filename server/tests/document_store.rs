//! The document store on the local disk and on a real S3-compatible server (moto) on loopback.

mod support;

use std::{net::TcpListener, time::Duration};

use bytes::Bytes;
use server::{
    config::{ObjectStoreConfig, S3Config},
    documents::document_store::{DocumentStore, DocumentStoreError, ObjectKey},
};
use support::S3Server;

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

#[tokio::test]
async fn s3_bucket_stores_reads_and_deletes() {
    let server = S3Server::start();
    server.wait_until_up().await;
    let bucket = server.create_bucket().await;

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
