//! Posting a document in an applicant's account: the content streams from the request through
//! the PDF check, SHA-256 and encryption into the object store, and the row is written only once
//! the object is complete. A refused or failed upload leaves nothing behind; an object whose row
//! never came (a crash in between) is removed by the orphan sweep.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use refusal::Code;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    DocumentKind,
    encryption::{EncryptionError, Encryptor},
    notice_facts::{FactsError, NoticeFacts},
    pdf_inspection::{PdfInspector, PdfRefusal},
    virus_scan::{ScanSession, Verdict},
};
use crate::{
    Services,
    documents::document_store::{DocumentStoreError, ObjectKey},
    storage::{
        Actor, DocumentRecord, NewAuditEvent, NewDocument, ScanStatus, StorageError, Withdrawal,
    },
};

/// Objects of documents live under this folder of the store.
pub const DOCUMENTS_FOLDER: &str = "documents";
const MAX_FILE_NAME_CHARS: usize = 150;

/// What staff (or the back-office) say about the file they send.
#[derive(Debug, Clone)]
pub struct Upload {
    pub applicant_id: Uuid,
    pub kind: DocumentKind,
    pub title: String,
    /// As the sender named it; cleaned before it is kept.
    pub file_name: String,
    pub uploaded_by: Actor,
    /// Set when the file replaces a document of the same account, which is withdrawn with it.
    pub replacing: Option<Withdrawal>,
    /// What the notice says: required for a decision and a summons (`NoticeFacts::check`).
    pub facts: NoticeFacts,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("no applicant has this id")]
    UnknownApplicant,
    #[error("the applicant's account is closed")]
    AccountClosed,
    #[error("the title is empty or too long")]
    InvalidTitle,
    #[error(transparent)]
    Facts(#[from] FactsError),
    #[error("the file is larger than {limit_bytes} bytes")]
    TooLarge { limit_bytes: u64 },
    #[error("the file was refused: {0}")]
    Refused(PdfRefusal),
    #[error("the same file is already in this applicant's account")]
    Duplicate,
    #[error("the upload stopped before the end of the file")]
    Interrupted,
    #[error("the document to replace is not in this account any more")]
    NothingToReplace,
    #[error("the virus scanner found {signature} in the file")]
    Infected { signature: String },
    #[error(transparent)]
    Store(#[from] DocumentStoreError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Encryption(#[from] EncryptionError),
}

impl PublishError {
    /// A stable code for forms and the API, which word the refusal in the reader's language.
    pub fn code(&self) -> Code {
        match self {
            PublishError::UnknownApplicant => Code::NotFound,
            PublishError::AccountClosed => Code::AccountClosed,
            PublishError::InvalidTitle => Code::Title,
            PublishError::Facts(error) => error.code(),
            PublishError::TooLarge { .. } => Code::TooLarge,
            PublishError::Refused(PdfRefusal::NotAPdf) => Code::NotPdf,
            PublishError::Refused(PdfRefusal::Damaged) => Code::Damaged,
            PublishError::Refused(PdfRefusal::TooComplex) => Code::TooComplex,
            PublishError::Refused(PdfRefusal::JavaScript) => Code::Javascript,
            PublishError::Refused(PdfRefusal::LaunchAction) => Code::Launch,
            PublishError::Refused(PdfRefusal::EmbeddedFile) => Code::Embedded,
            PublishError::Refused(PdfRefusal::Encrypted) => Code::Encrypted,
            PublishError::Duplicate => Code::Duplicate,
            PublishError::Interrupted => Code::NoFile,
            PublishError::NothingToReplace => Code::AlreadyWithdrawn,
            PublishError::Infected { .. } => Code::Infected,
            PublishError::Store(_) | PublishError::Storage(_) | PublishError::Encryption(_) => {
                Code::Unavailable
            }
        }
    }
}

/// A title as staff typed it, trimmed; control characters are not allowed.
pub use untrusted_input::title::clean_title;

/// The name the applicant's browser will save the file under: no folders, no control
/// characters, a `.pdf` ending.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ':' | '*' | '?' | '<' | '>' | '|'))
        .take(MAX_FILE_NAME_CHARS)
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned();
    if clean.is_empty() {
        clean = "document".to_owned();
    }
    if !clean.to_ascii_lowercase().ends_with(".pdf") {
        clean.push_str(".pdf");
    }
    clean
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Streams `body` into the store and posts the document, made available now (withdrawing the
/// document it replaces in the same transaction).
#[tracing::instrument(skip_all, fields(applicant = %upload.applicant_id, kind = upload.kind.code()))]
pub async fn publish<S, E>(
    services: &Services,
    upload: Upload,
    body: S,
) -> Result<DocumentRecord, PublishError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let title = clean_title(&upload.title).ok_or(PublishError::InvalidTitle)?;
    let facts = upload.facts.clone().check(upload.kind)?;
    let applicant = services
        .storage
        .find_applicant(upload.applicant_id)
        .await?
        .ok_or(PublishError::UnknownApplicant)?;
    // A closed file gets no more documents: they would be erased with it, maybe unread.
    if applicant.closed_at.is_some() {
        return Err(PublishError::AccountClosed);
    }
    let id = Uuid::new_v4();
    let key = ObjectKey::generate(DOCUMENTS_FOLDER);
    let (data_key, wrapped) = services.master_keys.new_data_key(id)?;
    let mut scan = Scanning::start(services).await;
    let mut writer = services.documents.writer(&key).await?;
    let stored = store_content(services, body, &data_key, &mut writer, &mut scan).await;
    let (size, sha256) = match stored {
        Ok(facts) => facts,
        Err(error) => {
            writer.abort().await;
            return Err(error);
        }
    };
    let scan_status = match scan.verdict().await {
        Ok(status) => status,
        Err(signature) => {
            writer.abort().await;
            tracing::warn!(%signature, "an upload was refused: the virus scanner found a virus");
            services
                .storage
                .append_audit_event(&NewAuditEvent {
                    actor_kind: upload.uploaded_by.kind,
                    actor_id: upload.uploaded_by.id,
                    action: "document_refused_infected",
                    target_kind: Some("applicant"),
                    target_id: Some(upload.applicant_id),
                    ip_hash: None,
                    succeeded: false,
                })
                .await?;
            return Err(PublishError::Infected { signature });
        }
    };
    writer.finish().await?;
    // A file the scanner has not passed yet waits out of the account.
    let made_available_at = (scan_status != ScanStatus::Pending).then(|| services.clock.now());
    let document = NewDocument {
        id,
        applicant_id: upload.applicant_id,
        kind: upload.kind,
        title,
        file_name: clean_file_name(&upload.file_name),
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        sha256,
        object_key: key.as_str().to_owned(),
        master_key_id: wrapped.master_key_id,
        wrapped_key: wrapped.wrapped,
        uploaded_by_kind: upload.uploaded_by.kind,
        uploaded_by_id: upload.uploaded_by.id,
        scan_status,
        made_available_at,
        replaces_id: upload
            .replacing
            .as_ref()
            .map(|replaced| replaced.document_id),
        facts,
    };
    let mut audit = vec![NewAuditEvent {
        actor_kind: upload.uploaded_by.kind,
        actor_id: upload.uploaded_by.id,
        action: "document_published",
        target_kind: Some("document"),
        target_id: Some(id),
        ip_hash: None,
        succeeded: true,
    }];
    if let Some(replaced) = &upload.replacing {
        audit.push(withdrawal_event(replaced));
    }
    let inserted = services
        .storage
        .insert_document(&document, upload.replacing.as_ref(), &audit)
        .await;
    let record = match inserted {
        Ok(record) => record,
        Err(error) => {
            if let Err(cleanup) = services.documents.delete(&key).await {
                tracing::warn!(%cleanup, "the object of a refused document stays for the orphan sweep");
            }
            return Err(match error {
                StorageError::Conflict("withdrawn") => PublishError::NothingToReplace,
                StorageError::Conflict(_) => PublishError::Duplicate,
                other => PublishError::Storage(other),
            });
        }
    };
    tracing::info!(document = %record.id, bytes = size, "document published");
    Ok(record)
}

/// The audit event of a withdrawal (alone or with a replacement).
pub(super) fn withdrawal_event(withdrawal: &Withdrawal) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: crate::storage::ActorKind::Staff,
        actor_id: Some(withdrawal.withdrawn_by_id),
        action: "document_withdrawn",
        target_kind: Some("document"),
        target_id: Some(withdrawal.document_id),
        ip_hash: None,
        succeeded: true,
    }
}

/// Where the virus scan of one upload stands.
enum Scanning {
    /// No scanner configured.
    Off,
    Running(ScanSession),
    /// The scanner could not be reached or broke off: the file waits for the rescan job.
    Lost,
}

impl Scanning {
    async fn start(services: &Services) -> Scanning {
        let Some(address) = &services.config.clamd_address else {
            return Scanning::Off;
        };
        match ScanSession::start(address).await {
            Ok(session) => Scanning::Running(session),
            Err(error) => {
                tracing::warn!(%error, "the upload waits for the virus scanner");
                Scanning::Lost
            }
        }
    }

    async fn feed(&mut self, bytes: &[u8]) {
        if let Scanning::Running(session) = self
            && let Err(error) = session.feed(bytes).await
        {
            tracing::warn!(%error, "the virus scanner broke off; the upload waits for it");
            *self = Scanning::Lost;
        }
    }

    /// The status to record, or the virus found.
    async fn verdict(self) -> Result<ScanStatus, String> {
        match self {
            Scanning::Off => Ok(ScanStatus::NotScanned),
            Scanning::Lost => Ok(ScanStatus::Pending),
            Scanning::Running(session) => match session.finish().await {
                Ok(Verdict::Clean) => Ok(ScanStatus::Clean),
                Ok(Verdict::Infected(signature)) => Err(signature),
                Err(error) => {
                    tracing::warn!(%error, "no verdict from the virus scanner; the upload waits");
                    Ok(ScanStatus::Pending)
                }
            },
        }
    }
}

/// Reads the body through the checks into the writer (and the scanner); returns its size and
/// SHA-256.
async fn store_content<S, E>(
    services: &Services,
    mut body: S,
    data_key: &super::encryption::DataKey,
    writer: &mut crate::documents::document_store::ObjectWriter,
    scan: &mut Scanning,
) -> Result<(u64, String), PublishError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let limit_bytes = services.config.max_document_bytes;
    let mut inspector = PdfInspector::new();
    let mut hasher = Sha256::new();
    let mut encryptor = Encryptor::new(data_key)?;
    let mut size: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| PublishError::Interrupted)?;
        size += chunk.len() as u64;
        if size > limit_bytes {
            return Err(PublishError::TooLarge { limit_bytes });
        }
        inspector.feed(&chunk);
        if let Some(refusal) = inspector.refusal() {
            return Err(PublishError::Refused(refusal));
        }
        hasher.update(&chunk);
        scan.feed(&chunk).await;
        let sealed = encryptor.push(&chunk)?;
        writer.write(&sealed).await?;
    }
    inspector.finish().map_err(PublishError::Refused)?;
    writer.write(&encryptor.finish()?).await?;
    Ok((size, hex(&hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_gain_a_pdf_ending() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd.pdf");
        assert_eq!(
            clean_file_name("C:\\Users\\agent\\décision.PDF"),
            "décision.PDF"
        );
        assert_eq!(clean_file_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(clean_file_name(""), "document.pdf");
        assert_eq!(clean_file_name("...hidden"), "hidden.pdf");
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(clean_title("  Décision  ").as_deref(), Some("Décision"));
        assert_eq!(clean_title("   "), None);
        assert_eq!(clean_title("a\u{0}b"), None);
        assert_eq!(clean_title(&"x".repeat(201)), None);
    }
}
