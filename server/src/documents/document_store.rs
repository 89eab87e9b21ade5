//! Where document contents live: a folder on the local disk by default, or an S3-compatible
//! bucket when several app servers share the work. Rows in the database point at these objects.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    BackoffConfig, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart,
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path,
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

fn remove_staging_files(
    folder: &std::path::Path,
    cutoff: std::time::SystemTime,
) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            removed += remove_staging_files(&entry.path(), cutoff)?;
        } else if entry.file_name().to_string_lossy().contains('#')
            && entry.metadata()?.modified()? < cutoff
        {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
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

    /// A key read back from a database row.
    pub fn from_stored(key: &str) -> ObjectKey {
        ObjectKey(Path::from(key))
    }
}

/// Bytes in each part of a streamed upload: S3's minimum part size, and all a writer holds.
const PART_BYTES: usize = 5 * 1024 * 1024;

/// An object being written piece by piece; nothing is visible under its key until `finish`.
pub struct ObjectWriter {
    inner: WriteMultipart,
}

impl ObjectWriter {
    /// Queues bytes, waiting while two parts are already on their way (memory stays bounded).
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), DocumentStoreError> {
        self.inner.write(bytes);
        self.inner.wait_for_capacity(2).await?;
        Ok(())
    }

    pub async fn finish(self) -> Result<(), DocumentStoreError> {
        self.inner.finish().await?;
        Ok(())
    }

    /// Gives up: the parts written so far are discarded.
    pub async fn abort(self) {
        if let Err(error) = self.inner.abort().await {
            tracing::warn!(%error, "an aborted upload could not be cleaned up; the orphan sweep will");
        }
    }
}

#[derive(Clone, Debug)]
pub struct DocumentStore {
    inner: Arc<dyn ObjectStore>,
    kind: &'static str,
    /// The folder of a local store, where unfinished uploads leave staging files.
    local_root: Option<std::path::PathBuf>,
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
                    .with_automatic_cleanup(true)
                    // The row is committed (and synced) once the object is written: without
                    // this, a power cut could leave a posted document whose bytes never reached
                    // the disk. S3 gives the same promise by itself.
                    .with_fsync(true);
                Ok(DocumentStore {
                    inner: Arc::new(local),
                    kind: "local",
                    local_root: Some(folder.clone()),
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
                    local_root: None,
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

    /// Starts writing an object in parts, for contents too large to hold in memory.
    #[tracing::instrument(skip(self), fields(store = self.kind, key = key.as_str()))]
    pub async fn writer(&self, key: &ObjectKey) -> Result<ObjectWriter, DocumentStoreError> {
        let upload = self.inner.put_multipart(&key.0).await?;
        Ok(ObjectWriter {
            inner: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
        })
    }

    /// The object's contents as they arrive from the store.
    #[tracing::instrument(skip(self), fields(store = self.kind, key = key.as_str()))]
    pub async fn read(
        &self,
        key: &ObjectKey,
    ) -> Result<BoxStream<'static, Result<Bytes, DocumentStoreError>>, DocumentStoreError> {
        let result = self.inner.get(&key.0).await?;
        Ok(result
            .into_stream()
            .map_err(DocumentStoreError::from)
            .boxed())
    }

    /// Keys of objects under `folder` last written before `cutoff` (the orphan sweep's list).
    pub async fn keys_written_before(
        &self,
        folder: &str,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<ObjectKey>, DocumentStoreError> {
        let prefix = Path::from(folder);
        let mut listing = self.inner.list(Some(&prefix));
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.last_modified < cutoff {
                keys.push(ObjectKey(meta.location));
            }
        }
        Ok(keys)
    }

    /// Removes what uploads cut short by a crash left in a local store: the staging files
    /// (`<key>#<part>`) that the local store writes before an upload completes, which no listing
    /// shows. Only those last written before `cutoff`, so uploads in progress are left alone.
    /// An S3 bucket keeps such parts as incomplete multipart uploads: a lifecycle rule
    /// (`AbortIncompleteMultipartUpload`) removes them there (see docs/deployment.md).
    pub async fn remove_stale_staging_files(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<usize, DocumentStoreError> {
        let Some(root) = self.local_root.clone() else {
            return Ok(0);
        };
        let cutoff = std::time::SystemTime::from(cutoff);
        tokio::task::spawn_blocking(move || remove_staging_files(&root, cutoff))
            .await
            .map_err(|error| DocumentStoreError::Configuration(error.to_string()))?
            .map_err(|error| {
                DocumentStoreError::Unavailable(object_store::Error::Generic {
                    store: "local",
                    source: Box::new(error),
                })
            })
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
