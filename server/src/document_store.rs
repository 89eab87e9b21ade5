//! Where document contents live: a folder on the local disk by default, or an S3-compatible
//! bucket when several app servers share the work. Rows in the database point at these objects.

use std::sync::Arc;

use bytes::Bytes;
use object_store::{
    BackoffConfig, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, aws::AmazonS3Builder,
    local::LocalFileSystem, path::Path,
};

use crate::config::ObjectStoreConfig;

#[derive(Debug, thiserror::Error)]
pub enum DocumentStoreError {
    #[error("no stored object has this key")]
    NotFound,
    #[error("the document store is not configured correctly: {0}")]
    Configuration(String),
    #[error("the document store could not be reached or refused the operation")]
    Unavailable(#[source] object_store::Error),
}

impl From<object_store::Error> for DocumentStoreError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => DocumentStoreError::NotFound,
            other => DocumentStoreError::Unavailable(other),
        }
    }
}

/// A key chosen by the server, never by a user, so no path can escape the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectKey(Path);

impl ObjectKey {
    /// A fresh random key under a folder such as `documents`.
    pub fn generate(folder: &str) -> ObjectKey {
        ObjectKey(Path::from(format!(
            "{folder}/{}",
            uuid::Uuid::new_v4().simple()
        )))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

#[derive(Clone, Debug)]
pub struct DocumentStore {
    inner: Arc<dyn ObjectStore>,
    kind: &'static str,
}

impl DocumentStore {
    pub fn from_config(config: &ObjectStoreConfig) -> Result<DocumentStore, DocumentStoreError> {
        match config {
            ObjectStoreConfig::LocalDirectory(folder) => {
                std::fs::create_dir_all(folder).map_err(|error| {
                    DocumentStoreError::Configuration(format!(
                        "cannot create {}: {error}",
                        folder.display()
                    ))
                })?;
                let local = LocalFileSystem::new_with_prefix(folder)
                    .map_err(|error| DocumentStoreError::Configuration(error.to_string()))?
                    .with_automatic_cleanup(true);
                Ok(DocumentStore {
                    inner: Arc::new(local),
                    kind: "local",
                })
            }
            ObjectStoreConfig::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_allow_http(s3.allow_http)
                    // Fail in seconds rather than minutes: callers report the outage to the user.
                    .with_retry(RetryConfig {
                        backoff: BackoffConfig::default(),
                        max_retries: 3,
                        retry_timeout: std::time::Duration::from_secs(10),
                    });
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let Some(access_key_id) = &s3.access_key_id {
                    builder = builder.with_access_key_id(access_key_id);
                }
                if let Some(secret) = &s3.secret_access_key {
                    builder = builder.with_secret_access_key(secret.expose());
                }
                let s3 = builder
                    .build()
                    .map_err(|error| DocumentStoreError::Configuration(error.to_string()))?;
                Ok(DocumentStore {
                    inner: Arc::new(s3),
                    kind: "s3",
                })
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    #[tracing::instrument(skip(self, contents), fields(store = self.kind, key = key.as_str(), bytes = contents.len()))]
    pub async fn put(&self, key: &ObjectKey, contents: Bytes) -> Result<(), DocumentStoreError> {
        self.inner
            .put(&key.0, PutPayload::from_bytes(contents))
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip(self), fields(store = self.kind, key = key.as_str()))]
    pub async fn get(&self, key: &ObjectKey) -> Result<Bytes, DocumentStoreError> {
        Ok(self.inner.get(&key.0).await?.bytes().await?)
    }

    #[tracing::instrument(skip(self), fields(store = self.kind, key = key.as_str()))]
    pub async fn delete(&self, key: &ObjectKey) -> Result<(), DocumentStoreError> {
        self.inner.delete(&key.0).await?;
        Ok(())
    }

    /// Readiness: a metadata request for an object that need not exist; "not found" proves the
    /// store answered.
    pub async fn ping(&self) -> Result<(), DocumentStoreError> {
        match self.inner.head(&Path::from("readiness-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(DocumentStoreError::Unavailable(error)),
        }
    }
}
