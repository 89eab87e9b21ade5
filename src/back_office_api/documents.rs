//! Documents through the API: posting one (`POST /api/v1/documents`) or many with a manifest
//! (`POST /api/v1/documents/bulk`), reading a document's notification status, its
//! acknowledgement of receipt, and the acknowledgements of a period (the export the office sends
//! on to the prefecture). Files stream from the request to storage as for staff uploads.

use std::collections::HashMap;

use app::i18n::Locale;
use axum::{
    Json,
    extract::{Multipart, Path, Query, State, multipart::Field},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Duration, Utc};
use refusal::Code;
use serde::{Deserialize, Serialize};
use server::{
    Services,
    documents::{
        DocumentKind,
        acknowledgement::{self, Acknowledgement, acknowledgement, export_acknowledgement},
        bulk_manifest::{
            ApplicantReference, MAX_MANIFEST_BYTES, Manifest, ManifestError, parse_manifest,
        },
        legal_notification::{NotificationRule, NotificationStatus, interview_at_risk},
        notice_facts::{NoticeFacts, given, rfc3339},
        publishing::{Upload, publish},
    },
    storage::{Actor, ApiKey, DocumentRecord, NewAuditEvent},
};
use uuid::Uuid;

use super::{ApiCaller, ApiRefusal, message, refuse, scope, upload_message};
use crate::documents::acknowledgement_pdf::acknowledgement_pdf;

/// The longest period one export covers.
const MAX_EXPORT_DAYS: i64 = 31;
const MAX_EXPORT_DOCUMENTS: i64 = 50_000;

#[derive(Serialize)]
struct Notification {
    /// `pending`, `notified`, `not_applicable` or `withdrawn_before_notification`.
    status: &'static str,
    notified_at: Option<DateTime<Utc>>,
    rule: Option<NotificationRule>,
    /// While pending: when it counts as notified if it is not opened before.
    deemed_notified_on: Option<DateTime<Utc>>,
}

impl From<NotificationStatus> for Notification {
    fn from(status: NotificationStatus) -> Self {
        let none = Notification {
            status: "not_applicable",
            notified_at: None,
            rule: None,
            deemed_notified_on: None,
        };
        match status {
            NotificationStatus::NotApplicable => none,
            NotificationStatus::Pending { deemed_on } => Notification {
                status: "pending",
                deemed_notified_on: Some(deemed_on),
                ..none
            },
            NotificationStatus::Notified { at, rule } => Notification {
                status: "notified",
                notified_at: Some(at),
                rule: Some(rule),
                ..none
            },
            NotificationStatus::WithdrawnBeforeNotification => Notification {
                status: "withdrawn_before_notification",
                ..none
            },
        }
    }
}

/// A document as the back-office sees it.
#[derive(Serialize)]
struct DocumentBody {
    id: Uuid,
    applicant_id: Uuid,
    kind: &'static str,
    title: String,
    file_name: String,
    size_bytes: i64,
    sha256: String,
    made_available_at: Option<DateTime<Utc>>,
    first_opened_at: Option<DateTime<Utc>>,
    notification: Notification,
    withdrawn_at: Option<DateTime<Utc>>,
    withdrawal_reason: Option<String>,
    replaces_id: Option<Uuid>,
    /// A decision's `decision_outcome`; a summons' `appointment_at` and `appointment_place`.
    #[serde(flatten)]
    facts: NoticeFacts,
    /// What staff should know and act on, although the document was accepted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
}

#[derive(Serialize)]
struct Warning {
    /// `interview_before_deemed_notification`: the interview comes before (or within a few
    /// days after) the date the summons counts as notified if never opened.
    code: &'static str,
    message: String,
}

fn document_body(
    document: DocumentRecord,
    electronic: bool,
    now: DateTime<Utc>,
    locale: Locale,
) -> DocumentBody {
    let status = acknowledgement::document_status(&document, electronic, now);
    let warnings = interview_at_risk(status, document.facts.appointment_at, now)
        .zip(document.facts.appointment_at)
        .map(|(deemed_on, interview)| Warning {
            code: "interview_before_deemed_notification",
            message: app::document_texts::interview_risk(locale.messages(), interview, deemed_on),
        })
        .into_iter()
        .collect();
    DocumentBody {
        warnings,
        notification: status.into(),
        id: document.id,
        applicant_id: document.applicant_id,
        kind: document.kind.code(),
        title: document.title,
        file_name: document.file_name,
        size_bytes: document.size_bytes,
        sha256: document.sha256,
        made_available_at: document.made_available_at,
        first_opened_at: document.first_opened_at,
        withdrawn_at: document.withdrawn_at,
        withdrawal_reason: document.withdrawal_reason,
        replaces_id: document.replaces_id,
        facts: document.facts,
    }
}

/// The applicant a reference names: (id, electronic notification), or `None`; a storage
/// failure is answered as unavailable.
async fn resolve(
    services: &Services,
    reference: &ApplicantReference,
    locale: Locale,
) -> Result<Option<(Uuid, bool)>, ApiRefusal> {
    let found = match reference {
        ApplicantReference::Id(id) => services.storage.find_applicant(*id).await,
        ApplicantReference::Number(number) => {
            services.storage.find_applicant_by_identifier(number).await
        }
    };
    match found {
        Ok(applicant) => Ok(applicant.map(|found| (found.id, found.electronic_notification))),
        Err(error) => Err(ApiRefusal::unavailable(&error, locale)),
    }
}

/// Posts the file of one part; the document, or the refusal's status and code.
async fn publish_part(
    services: &Services,
    (key, locale): (&ApiKey, Locale),
    applicant: (Uuid, bool),
    kind: DocumentKind,
    title: String,
    facts: NoticeFacts,
    field: Field<'_>,
) -> Result<DocumentBody, (StatusCode, Code)> {
    let upload = Upload {
        applicant_id: applicant.0,
        kind,
        title,
        file_name: field.file_name().unwrap_or("document.pdf").to_owned(),
        uploaded_by: Actor::api_key(key.id),
        replacing: None,
        facts,
    };
    match publish(services, upload, field).await {
        Ok(record) => Ok(document_body(
            record,
            applicant.1,
            services.clock.now(),
            locale,
        )),
        Err(error) => {
            let code = error.code();
            let status = match code {
                Code::Unavailable => {
                    tracing::error!(%error, "a document could not be posted through the API");
                    StatusCode::SERVICE_UNAVAILABLE
                }
                Code::Duplicate | Code::AccountClosed => StatusCode::CONFLICT,
                Code::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Err((status, code))
        }
    }
}

/// The text parts that come before a document's `file` part.
#[derive(Default)]
struct PostingParts {
    applicant: Option<String>,
    kind: Option<String>,
    title: Option<String>,
    outcome: Option<String>,
    appointment_at: Option<String>,
    place: Option<String>,
}

/// What the parts name, checked: the applicant (id, electronic notification), kind, title and
/// the notice's facts.
type Posting = ((Uuid, bool), DocumentKind, String, NoticeFacts);

impl PostingParts {
    /// Keeps a text part's value (the last one wins); any other part is skipped.
    async fn keep(&mut self, field: Field<'_>) {
        let slot = match field.name() {
            Some("applicant") => &mut self.applicant,
            Some("kind") => &mut self.kind,
            Some("title") => &mut self.title,
            Some("decision_outcome") => &mut self.outcome,
            Some("appointment_at") => &mut self.appointment_at,
            Some("appointment_place") => &mut self.place,
            _ => return,
        };
        *slot = field.text().await.ok();
    }

    /// Checked in the order the API documents: the facts, the applicant named, the kind, then
    /// whether that applicant exists.
    async fn check(self, services: &Services, locale: Locale) -> Result<Posting, ApiRefusal> {
        let unprocessable = |code| ApiRefusal::new(StatusCode::UNPROCESSABLE_ENTITY, code, locale);
        let facts = NoticeFacts::read(
            given(&self.outcome),
            given(&self.appointment_at),
            self.place,
            rfc3339,
        )
        .map_err(|error| unprocessable(error.code()))?;
        let reference = (self.applicant.as_deref())
            .and_then(ApplicantReference::parse)
            .ok_or_else(|| unprocessable(Code::UnknownApplicant))?;
        let kind = (self.kind.as_deref())
            .and_then(|code| DocumentKind::from_code(code.trim()))
            .ok_or_else(|| unprocessable(Code::Kind))?;
        let applicant = resolve(services, &reference, locale)
            .await?
            .ok_or_else(|| unprocessable(Code::UnknownApplicant))?;
        Ok((applicant, kind, self.title.unwrap_or_default(), facts))
    }
}

/// One document: the parts `applicant`, `kind`, `title` (and a decision's `decision_outcome`,
/// a summons' `appointment_at` and `appointment_place`), then `file`.
pub async fn post_document(
    State(services): State<Services>,
    ApiCaller { key, locale, .. }: ApiCaller<scope::DocumentsWrite>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiRefusal> {
    let fields_missing = || ApiRefusal::new(StatusCode::BAD_REQUEST, Code::Fields, locale);
    let mut form = form.map_err(|_| fields_missing())?;
    let mut parts = PostingParts::default();
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() != Some("file") {
            parts.keep(field).await;
            continue;
        }
        let (applicant, kind, title, facts) = parts.check(&services, locale).await?;
        let max_megabytes = services.config.max_document_bytes / (1024 * 1024);
        let caller = (&key, locale);
        let document = publish_part(&services, caller, applicant, kind, title, facts, field)
            .await
            .map_err(|(status, code)| {
                ApiRefusal::worded(status, code, upload_message(code, locale, max_megabytes))
            })?;
        tracing::info!(api_key = %key.id, document = %document.id, "document posted through the API");
        return Ok((StatusCode::CREATED, Json(document)).into_response());
    }
    Err(fields_missing())
}

#[derive(Serialize)]
struct BulkResult {
    file: String,
    /// `published` or `refused`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<DocumentBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

#[derive(Serialize)]
struct BulkAnswer {
    published: usize,
    refused: usize,
    results: Vec<BulkResult>,
}

impl BulkResult {
    fn refused(file: String, code: Code, message: String) -> BulkResult {
        BulkResult {
            file,
            status: "refused",
            document: None,
            error: Some(code.as_str()),
            message: Some(message),
        }
    }
}

/// Many documents: a `manifest` part first, then one part per file, named as in the manifest.
/// Each file succeeds or fails on its own; the answer lists every one, in arrival order, then
/// the files the manifest named that never came.
pub async fn post_bulk(
    State(services): State<Services>,
    ApiCaller { key, locale, .. }: ApiCaller<scope::DocumentsWrite>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiRefusal> {
    let mut form =
        form.map_err(|_| ApiRefusal::new(StatusCode::BAD_REQUEST, Code::Manifest, locale))?;
    let mut manifest = read_manifest(&mut form, locale).await?;
    let mut bulk = Bulk {
        services: &services,
        key: &key,
        locale,
        applicants: HashMap::new(),
        results: Vec::with_capacity(manifest.len()),
    };
    // A request that broke off (an error) is answered for what arrived; the rest is missing.
    while let Ok(Some(field)) = form.next_field().await {
        bulk.post(&mut manifest, field).await?;
    }
    for missing in manifest.missing() {
        bulk.refuse(missing.file.clone(), Code::MissingFile);
    }
    Ok(Json(bulk.answer()).into_response())
}

/// The `manifest` part, which must come first, parsed whole before any file is read.
async fn read_manifest(form: &mut Multipart, locale: Locale) -> Result<Manifest, ApiRefusal> {
    let bytes = match form.next_field().await {
        Ok(Some(field)) if field.name() == Some("manifest") => read_bounded(field).await,
        _ => None,
    };
    let refused =
        |message| ApiRefusal::worded(StatusCode::UNPROCESSABLE_ENTITY, Code::Manifest, message);
    match bytes.as_deref().map(parse_manifest) {
        Some(Ok(manifest)) => Ok(manifest),
        Some(Err(ManifestError::Entry { index, problem })) => {
            Err(refused(fill_entry(locale, index, problem.code())))
        }
        _ => Err(refused(message(Code::Manifest, locale))),
    }
}

/// A bulk push under way: the applicants already looked up, and each file's result.
struct Bulk<'a> {
    services: &'a Services,
    key: &'a ApiKey,
    locale: Locale,
    applicants: HashMap<ApplicantReference, Option<(Uuid, bool)>>,
    results: Vec<BulkResult>,
}

impl Bulk<'_> {
    /// Posts one file part; only a storage failure stops the whole push.
    async fn post(&mut self, manifest: &mut Manifest, field: Field<'_>) -> Result<(), ApiRefusal> {
        let name = field.name().unwrap_or_default().to_owned();
        let Some(entry) = manifest.take(&name) else {
            self.refuse(name, Code::UnexpectedFile);
            return Ok(());
        };
        if !self.applicants.contains_key(&entry.applicant) {
            let found = resolve(self.services, &entry.applicant, self.locale).await?;
            self.applicants.insert(entry.applicant.clone(), found);
        }
        let Some(applicant) = self.applicants[&entry.applicant] else {
            self.refuse(name, Code::UnknownApplicant);
            return Ok(());
        };
        let (services, key) = (self.services, self.key);
        let posted = publish_part(
            services,
            (key, self.locale),
            applicant,
            entry.kind,
            entry.title,
            entry.facts,
            field,
        );
        let result = match posted.await {
            Ok(document) => BulkResult {
                file: name,
                status: "published",
                document: Some(document),
                error: None,
                message: None,
            },
            Err((_, code)) => {
                let max_megabytes = services.config.max_document_bytes / (1024 * 1024);
                let text = upload_message(code, self.locale, max_megabytes);
                BulkResult::refused(name, code, text)
            }
        };
        self.results.push(result);
        Ok(())
    }

    fn refuse(&mut self, file: String, code: Code) {
        let text = message(code, self.locale);
        self.results.push(BulkResult::refused(file, code, text));
    }

    fn answer(self) -> BulkAnswer {
        let published = (self.results.iter())
            .filter(|result| result.status == "published")
            .count();
        let refused = self.results.len() - published;
        tracing::info!(api_key = %self.key.id, published, refused, "bulk push");
        BulkAnswer {
            published,
            refused,
            results: self.results,
        }
    }
}

fn fill_entry(locale: Locale, index: usize, field: &str) -> String {
    app::i18n::fill(
        &locale.messages().api_error_manifest_entry,
        &[("index", &index.to_string()), ("field", field)],
    )
}

/// The manifest part, refused beyond `MAX_MANIFEST_BYTES`.
async fn read_bounded(mut field: Field<'_>) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        if bytes.len() + chunk.len() > MAX_MANIFEST_BYTES {
            return None;
        }
        bytes.extend_from_slice(&chunk);
    }
    Some(bytes)
}

pub async fn document_status(
    State(services): State<Services>,
    ApiCaller { locale, .. }: ApiCaller<scope::DocumentsRead>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return refuse(StatusCode::NOT_FOUND, Code::NotFound, locale);
    };
    let found = match services.storage.find_document(id).await {
        Ok(Some(document)) => services
            .storage
            .find_applicant(document.applicant_id)
            .await
            .map(|applicant| applicant.map(|applicant| (document, applicant))),
        Ok(None) => Ok(None),
        Err(error) => Err(error),
    };
    match found {
        Ok(Some((document, applicant))) => Json(document_body(
            document,
            applicant.electronic_notification,
            services.clock.now(),
            locale,
        ))
        .into_response(),
        Ok(None) => refuse(StatusCode::NOT_FOUND, Code::NotFound, locale),
        Err(error) => ApiRefusal::unavailable(&error, locale).into_response(),
    }
}

/// JSON, or the printable PDF when the request accepts `application/pdf`.
pub async fn document_acknowledgement(
    State(services): State<Services>,
    ApiCaller { key, locale, .. }: ApiCaller<scope::DocumentsRead>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return refuse(StatusCode::NOT_FOUND, Code::NotFound, locale);
    };
    match export_acknowledgement(&services, id, Actor::api_key(key.id), None).await {
        Ok(Some(ack)) if accepts_pdf(&headers) => {
            match acknowledgement_pdf(&ack, services.clock.now()) {
                Ok(pdf) => (
                    [
                        (header::CONTENT_TYPE, "application/pdf"),
                        (header::CACHE_CONTROL, "no-store"),
                    ],
                    pdf,
                )
                    .into_response(),
                Err(error) => ApiRefusal::unavailable(&error, locale).into_response(),
            }
        }
        Ok(Some(ack)) => ([(header::CACHE_CONTROL, "no-store")], Json(ack)).into_response(),
        Ok(None) => refuse(StatusCode::NOT_FOUND, Code::NotNotified, locale),
        Err(error) => ApiRefusal::unavailable(&error, locale).into_response(),
    }
}

fn accepts_pdf(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/pdf"))
}

#[derive(Deserialize)]
pub struct Period {
    notified_after: Option<DateTime<Utc>>,
    notified_before: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct Export {
    notified_after: DateTime<Utc>,
    notified_before: DateTime<Utc>,
    acknowledgements: Vec<Acknowledgement>,
}

/// Every acknowledgement whose notification date falls in `[notified_after, notified_before)`,
/// oldest first: the file the office sends on. Recorded in the audit log as one export.
pub async fn acknowledgements_export(
    State(services): State<Services>,
    ApiCaller { key, locale, .. }: ApiCaller<scope::DocumentsRead>,
    period: Result<Query<Period>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let now = services.clock.now();
    let period = period.ok().and_then(|Query(period)| {
        let (from, to) = (period.notified_after?, period.notified_before?.min(now));
        (from < to && to - from <= Duration::days(MAX_EXPORT_DAYS)).then_some((from, to))
    });
    let Some((from, to)) = period else {
        return refuse(StatusCode::BAD_REQUEST, Code::Period, locale);
    };
    match export(&services, from, to, now).await {
        Ok(acknowledgements) => {
            let event = NewAuditEvent {
                actor_kind: server::storage::ActorKind::ApiKey,
                actor_id: Some(key.id),
                action: "acknowledgements_exported",
                target_kind: None,
                target_id: None,
                ip_hash: None,
                succeeded: true,
            };
            if let Err(error) = services.storage.append_audit_event(&event).await {
                return ApiRefusal::unavailable(&error, locale).into_response();
            }
            (
                [(header::CACHE_CONTROL, "no-store")],
                Json(Export {
                    notified_after: from,
                    notified_before: to,
                    acknowledgements,
                }),
            )
                .into_response()
        }
        Err(error) => ApiRefusal::unavailable(&error, locale).into_response(),
    }
}

async fn export(
    services: &Services,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Acknowledgement>, server::storage::StorageError> {
    let candidates = services
        .storage
        .documents_possibly_notified_between(from, to, MAX_EXPORT_DOCUMENTS)
        .await?;
    let mut applicants = HashMap::new();
    let mut acknowledgements = Vec::new();
    for document in candidates {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            applicants.entry(document.applicant_id)
        {
            slot.insert(
                services
                    .storage
                    .find_applicant(document.applicant_id)
                    .await?,
            );
        }
        let Some(applicant) = &applicants[&document.applicant_id] else {
            continue;
        };
        if let Some(ack) = acknowledgement(&document, applicant, now)
            .filter(|ack| ack.notified_at >= from && ack.notified_at < to)
        {
            acknowledgements.push(ack);
        }
    }
    acknowledgements.sort_by_key(|ack| (ack.notified_at, ack.document_id));
    Ok(acknowledgements)
}
