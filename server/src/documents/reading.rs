//! Opening a document: who may, what it records, and the content streamed back decrypted and
//! checked against the SHA-256 taken at upload. Each segment is authenticated as it is
//! decrypted; the whole-file hash is checked at the end, and a mismatch breaks off the download
//! (the reader gets an incomplete file, never a wrong one presented as complete).

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream::BoxStream};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::encryption::{Decryptor, EncryptionError, WrappedKey};
use crate::{
    Services,
    documents::document_store::{DocumentStoreError, ObjectKey},
    storage::{Actor, ActorKind, DocumentRecord, NewAuditEvent, StorageError},
};

/// Who asks to open a document; the caller has checked staff permissions already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Applicant(Uuid),
    Staff(Uuid),
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Missing, not this applicant's, or not yet in the account: one answer for all three.
    #[error("no such document")]
    NotFound,
    #[error("the document was withdrawn")]
    Withdrawn { at: DateTime<Utc> },
    #[error(transparent)]
    Store(#[from] DocumentStoreError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Encryption(#[from] EncryptionError),
}

pub struct OpenedDocument {
    pub record: DocumentRecord,
    pub content: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

/// The document as `reader` may see it (not its content): the same `NotFound` for a missing
/// document and another applicant's.
pub async fn visible_document(
    services: &Services,
    reader: Reader,
    id: Uuid,
) -> Result<DocumentRecord, ReadError> {
    let record = services
        .storage
        .find_document(id)
        .await?
        .ok_or(ReadError::NotFound)?;
    match reader {
        Reader::Applicant(applicant) => {
            if record.applicant_id != applicant || record.made_available_at.is_none() {
                return Err(ReadError::NotFound);
            }
        }
        Reader::Staff(_) => {}
    }
    Ok(record)
}

#[tracing::instrument(skip(services, ip_hash), fields(document = %id))]
pub async fn open(
    services: &Services,
    reader: Reader,
    id: Uuid,
    ip_hash: Option<String>,
) -> Result<OpenedDocument, ReadError> {
    let mut record = visible_document(services, reader, id).await?;
    if let (Reader::Applicant(_), Some(at)) = (reader, record.withdrawn_at) {
        return Err(ReadError::Withdrawn { at });
    }
    let content = decrypted_content(services, &record).await?;
    let actor = match reader {
        Reader::Applicant(applicant) => {
            // Only the applicant's own opening counts as notification.
            if record.first_opened_at.is_none() {
                let now = services.clock.now();
                if let Some(updated) = services.storage.record_first_opening(id, now).await? {
                    record = updated;
                }
            }
            Actor {
                kind: ActorKind::Applicant,
                id: Some(applicant),
            }
        }
        Reader::Staff(staff) => Actor::staff(staff),
    };
    services
        .storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: actor.kind,
            actor_id: actor.id,
            action: "document_opened",
            target_kind: Some("document"),
            target_id: Some(id),
            ip_hash,
            succeeded: true,
        })
        .await?;
    Ok(OpenedDocument { record, content })
}

struct Reading {
    storage: std::sync::Arc<dyn crate::storage::Storage>,
    source: BoxStream<'static, Result<Bytes, DocumentStoreError>>,
    decryptor: Decryptor,
    hasher: Sha256,
    expected_sha256: String,
    document: Uuid,
    done: bool,
}

/// Logs and audits a failed integrity check (the reader then gets a broken-off download).
fn failure(reading: &Reading, what: &'static str) -> std::io::Error {
    let document = reading.document;
    tracing::error!(%document, what, "a stored document failed its integrity check");
    let storage = std::sync::Arc::clone(&reading.storage);
    tokio::spawn(async move {
        let event = NewAuditEvent {
            actor_kind: ActorKind::System,
            actor_id: None,
            action: "document_integrity_failed",
            target_kind: Some("document"),
            target_id: Some(document),
            ip_hash: None,
            succeeded: false,
        };
        if let Err(error) = storage.append_audit_event(&event).await {
            tracing::error!(%error, "an integrity failure could not be audited");
        }
    });
    std::io::Error::other("the stored document failed its integrity check")
}

/// The document's content, decrypted and checked as it streams.
pub(crate) async fn decrypted_content(
    services: &Services,
    record: &DocumentRecord,
) -> Result<BoxStream<'static, Result<Bytes, std::io::Error>>, ReadError> {
    let data_key = services.master_keys.unwrap_key(
        record.id,
        &WrappedKey {
            master_key_id: record.master_key_id.clone(),
            wrapped: record.wrapped_key.clone(),
        },
    )?;
    let source = services
        .documents
        .read(&ObjectKey::from_stored(&record.object_key))
        .await?;
    let reading = Reading {
        storage: std::sync::Arc::clone(&services.storage),
        source,
        decryptor: Decryptor::new(&data_key),
        hasher: Sha256::new(),
        expected_sha256: record.sha256.clone(),
        document: record.id,
        done: false,
    };
    Ok(futures::stream::unfold(reading, |mut reading| async move {
        if reading.done {
            return None;
        }
        loop {
            match reading.source.next().await {
                Some(Ok(stored)) => match reading.decryptor.push(&stored) {
                    Ok(plain) if plain.is_empty() => continue,
                    Ok(plain) => {
                        reading.hasher.update(&plain);
                        return Some((Ok(Bytes::from(plain)), reading));
                    }
                    Err(_) => {
                        reading.done = true;
                        return Some((Err(failure(&reading, "segment")), reading));
                    }
                },
                Some(Err(error)) => {
                    reading.done = true;
                    tracing::error!(%error, "the document store failed mid-read");
                    return Some((Err(std::io::Error::other("document store")), reading));
                }
                None => {
                    reading.done = true;
                    let last = match reading.decryptor.finish() {
                        Ok(last) => last,
                        Err(_) => return Some((Err(failure(&reading, "end")), reading)),
                    };
                    reading.hasher.update(&last);
                    let digest: String = std::mem::take(&mut reading.hasher)
                        .finalize()
                        .iter()
                        .map(|byte| format!("{byte:02x}"))
                        .collect();
                    if digest != reading.expected_sha256 {
                        return Some((Err(failure(&reading, "sha256")), reading));
                    }
                    return Some((Ok(Bytes::from(last)), reading));
                }
            }
        }
    })
    .boxed())
}
