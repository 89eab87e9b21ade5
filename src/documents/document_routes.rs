//! Document routes: the applicant opens their own documents, staff open any and post new ones.
//! Thin: who is asking comes from the session layer, the rules from `server::documents`.
//!
//! - `GET /account/documents/{id}`: the applicant's PDF (the first opening is the notification).
//! - `GET /staff/documents/{id}`: the same file for staff (recorded, never a notification).
//! - `POST /staff/applicants/{id}/documents`: multipart form, one or more PDFs.
//! - `GET /staff/documents/{id}/acknowledgement`: the acknowledgement of receipt (PDF).
//! - `POST /staff/documents/{id}/withdrawal`: multipart form, a reason and, for a replacement,
//!   the new PDF (supervisors).

use axum::{
    Extension,
    extract::{Multipart, Path, State, multipart::Field},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use refusal::Code;
use server::{
    Services,
    documents::{
        DocumentKind,
        acknowledgement::export_acknowledgement,
        notice_facts::{NoticeFacts, given},
        office_time::from_office_time,
        publishing::{Upload, publish},
        reading::{OpenedDocument, ReadError, Reader, open},
        withdrawal::{WithdrawError, prepare, withdraw},
    },
    http::{
        PageRefusal,
        who_is_asking::{SignedInApplicant, SignedInStaff, may},
    },
    storage::{Actor, Applicant, StaffMember},
};
use uuid::Uuid;

use crate::{app_state::locale_of, session_layer::ClientAddressHash};

type Answer = Result<Response, PageRefusal>;

/// RFC 6266: an ASCII fallback and the UTF-8 name, so every browser saves a sensible name.
fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_. ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn pdf_response(opened: OpenedDocument) -> Response {
    let mut response = axum::body::Body::from_stream(opened.content).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(length) = HeaderValue::from_str(&opened.record.size_bytes.to_string()) {
        headers.insert(header::CONTENT_LENGTH, length);
    }
    if let Ok(disposition) = HeaderValue::from_str(&content_disposition(&opened.record.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn refusal(headers: &HeaderMap, error: ReadError) -> Response {
    let m = locale_of(headers).messages();
    match error {
        ReadError::NotFound => {
            (StatusCode::NOT_FOUND, m.document_not_found.clone()).into_response()
        }
        ReadError::Withdrawn { .. } => {
            (StatusCode::GONE, m.document_withdrawn.clone()).into_response()
        }
        other => {
            tracing::error!(error = %other, "a document could not be opened");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                m.document_unavailable.clone(),
            )
                .into_response()
        }
    }
}

/// Opens the document for `reader` and answers with the PDF or the refusal. Any text that is
/// not a document id is answered like an id that matches nothing.
async fn serve_document(
    services: &Services,
    reader: Reader,
    id: &str,
    address: ClientAddressHash,
    headers: &HeaderMap,
) -> Response {
    let Ok(id) = Uuid::parse_str(id) else {
        return refusal(headers, ReadError::NotFound);
    };
    match open(services, reader, id, address.0).await {
        Ok(opened) => pdf_response(opened),
        Err(error) => refusal(headers, error),
    }
}

pub async fn open_as_applicant(
    State(services): State<Services>,
    SignedInApplicant(applicant): SignedInApplicant,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let reader = Reader::Applicant(applicant.subject_id);
    serve_document(&services, reader, &id, address, &headers).await
}

pub async fn open_as_staff(
    State(services): State<Services>,
    staff: SignedInStaff<may::ReadDocuments>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let reader = Reader::Staff(staff.member.id);
    serve_document(&services, reader, &id, address, &headers).await
}

/// The title staff typed, or the file's own name without `.pdf` when they typed none.
fn title_for(typed: &str, file_name: &str) -> String {
    if !typed.trim().is_empty() {
        return typed.to_owned();
    }
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    stem.strip_suffix(".pdf")
        .or_else(|| stem.strip_suffix(".PDF"))
        .unwrap_or(stem)
        .to_owned()
}

/// What the form said before each file: a file is posted with the fields above it.
#[derive(Default)]
struct PostingFields {
    kind: Option<DocumentKind>,
    title: String,
    outcome: Option<String>,
    appointment_at: Option<String>,
    place: Option<String>,
    /// As typed, for the form shown again if a file is refused.
    typed: Vec<(String, String)>,
}

impl PostingFields {
    /// Keeps a text field's value; anything else (an empty file input) is skipped.
    async fn keep(&mut self, field: Field<'_>) {
        let Some(name) = field.name().map(str::to_owned) else {
            return;
        };
        if !POSTING_FIELDS.contains(&name.as_str()) {
            return;
        }
        let text = field.text().await.unwrap_or_default();
        match name.as_str() {
            "kind" => self.kind = DocumentKind::from_code(&text),
            "title" => self.title = text.clone(),
            "decision_outcome" => self.outcome = Some(text.clone()),
            // As the `datetime-local` field sends it: the office's wall-clock time.
            "appointment_at" => self.appointment_at = Some(text.clone()),
            _ => self.place = Some(text.clone()),
        }
        self.typed.push((name, text));
    }

    fn refusal(&self, page: impl Into<std::borrow::Cow<'static, str>>, code: Code) -> PageRefusal {
        PageRefusal::new(page, code).keeping(self.typed.clone())
    }
}

const POSTING_FIELDS: [&str; 5] = [
    "kind",
    "title",
    "decision_outcome",
    "appointment_at",
    "appointment_place",
];

pub async fn post_documents(
    State(services): State<Services>,
    staff: SignedInStaff<may::PushDocuments>,
    Path(applicant): Path<String>,
    mut form: Multipart,
) -> Answer {
    let applicant = match Uuid::parse_str(&applicant) {
        Ok(id) => services.storage.find_applicant(id).await.ok().flatten(),
        Err(_) => None,
    };
    let applicant = applicant.ok_or(PageRefusal::new("/staff", Code::NotFound))?;
    let page = file_page(applicant.id);
    let mut fields = PostingFields::default();
    let mut published = 0;
    loop {
        let progress = format!("{page}?published={published}");
        let field = form.next_field().await;
        let Some(field) = field.map_err(|_| fields.refusal(progress.clone(), Code::NoFile))? else {
            break;
        };
        let is_file =
            field.name() == Some("files") && field.file_name().is_some_and(|name| !name.is_empty());
        if !is_file {
            fields.keep(field).await;
            continue;
        }
        let upload = upload_for(&applicant, &staff.member, &fields, &field)
            .map_err(|code| fields.refusal(page.clone(), code))?;
        if let Err(error) = publish(&services, upload, field).await {
            let refusal = PageRefusal::because(progress, &error);
            return Err(refusal.keeping(fields.typed));
        }
        published += 1;
    }
    if published == 0 {
        return Err(fields.refusal(page, Code::NoFile));
    }
    Ok(Redirect::to(&format!("{page}?published={published}")).into_response())
}

/// The upload of one file of the staff form, with the fields given above it.
fn upload_for(
    applicant: &Applicant,
    member: &StaffMember,
    fields: &PostingFields,
    field: &Field<'_>,
) -> Result<Upload, Code> {
    let kind = fields.kind.ok_or(Code::Kind)?;
    let facts = NoticeFacts::read(
        given(&fields.outcome),
        given(&fields.appointment_at),
        given(&fields.place).map(str::to_owned),
        from_office_time,
    )
    .map_err(|error| error.code())?;
    let file_name = field.file_name().unwrap_or_default().to_owned();
    Ok(Upload {
        applicant_id: applicant.id,
        kind,
        title: title_for(&fields.title, &file_name),
        file_name,
        uploaded_by: Actor::staff(member.id),
        replacing: None,
        facts,
    })
}

/// The acknowledgement of receipt of a notified document, drawn up now; recorded as an export.
pub async fn acknowledgement_as_staff(
    State(services): State<Services>,
    SignedInStaff { member, .. }: SignedInStaff<may::ReadDocuments>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, (StatusCode, String)> {
    let m = locale_of(&headers).messages();
    let not_found = |text: &String| (StatusCode::NOT_FOUND, text.clone());
    let unavailable = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "an acknowledgement could not be drawn up");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            m.document_unavailable.clone(),
        )
    };
    let id = Uuid::parse_str(&id).map_err(|_| not_found(&m.document_not_found))?;
    let ack = export_acknowledgement(&services, id, Actor::staff(member.id), address.0)
        .await
        .map_err(|error| unavailable(&error))?
        .ok_or_else(|| not_found(&m.ack_none))?;
    let pdf =
        crate::documents::acknowledgement_pdf::acknowledgement_pdf(&ack, services.clock.now())
            .map_err(|error| unavailable(&error))?;
    let disposition = format!("attachment; filename=\"accuse-de-reception-{id}.pdf\"");
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "no-store".to_owned()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
    ];
    Ok((headers, pdf).into_response())
}

/// The staff page of an applicant: named by id, so no identifying number reaches an address
/// (proxy logs, browser history).
pub(crate) fn file_page(applicant_id: Uuid) -> String {
    format!("/staff/applicants/{applicant_id}")
}

/// A withdrawal, or a replacement when the form brings a file. The reason comes first in the
/// form, so the file can stream straight to storage once it is known.
pub async fn post_withdrawal(
    State(services): State<Services>,
    SignedInStaff { member, .. }: SignedInStaff<may::WithdrawDocuments>,
    Path(document): Path<String>,
    mut form: Multipart,
) -> Answer {
    let document_id =
        Uuid::parse_str(&document).map_err(|_| PageRefusal::new("/staff", Code::NotFound))?;
    let (mut reason, mut title) = (String::new(), String::new());
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| PageRefusal::new("/staff", Code::NoFile))?
    {
        match field.name() {
            Some("reason") => reason = field.text().await.unwrap_or_default(),
            Some("title") => title = field.text().await.unwrap_or_default(),
            Some("file") if field.file_name().is_some_and(|name| !name.is_empty()) => {
                return replace(&services, &member, document_id, &reason, &title, field).await;
            }
            _ => {}
        }
    }
    match withdraw(&services, &member, document_id, &reason).await {
        Ok(withdrawn) => {
            let page = file_page(withdrawn.applicant_id);
            Ok(Redirect::to(&format!("{page}?withdrawn=1")).into_response())
        }
        Err(error) => Err(withdrawal_refused(&services, document_id, &error)
            .await
            .keeping(withdrawal_typed(document_id, &reason, &title))),
    }
}

/// Withdraws the document and posts `file` in its place, in one step.
async fn replace(
    services: &Services,
    member: &StaffMember,
    document_id: Uuid,
    reason: &str,
    title: &str,
    file: Field<'_>,
) -> Answer {
    let typed = withdrawal_typed(document_id, reason, title);
    let (replaced, withdrawal) = match prepare(services, member, document_id, reason).await {
        Ok(prepared) => prepared,
        Err(error) => {
            let refusal = withdrawal_refused(services, document_id, &error).await;
            return Err(refusal.keeping(typed));
        }
    };
    let page = file_page(replaced.applicant_id);
    let upload = Upload {
        applicant_id: replaced.applicant_id,
        kind: replaced.kind,
        title: if title.trim().is_empty() {
            replaced.title.clone()
        } else {
            title.to_owned()
        },
        file_name: file.file_name().unwrap_or_default().to_owned(),
        uploaded_by: Actor::staff(member.id),
        replacing: Some(withdrawal),
        // What the notice says stays what the replaced one said.
        facts: replaced.facts.clone(),
    };
    if let Err(error) = publish(services, upload, file).await {
        return Err(PageRefusal::because(page, &error).keeping(typed));
    }
    Ok(Redirect::to(&format!("{page}?replaced=1")).into_response())
}

/// The withdrawal form's fields as typed, naming the document whose form they belong to.
fn withdrawal_typed(document_id: Uuid, reason: &str, title: &str) -> Vec<(String, String)> {
    vec![
        ("withdrawal_of".to_owned(), document_id.to_string()),
        ("reason".to_owned(), reason.to_owned()),
        ("title".to_owned(), title.to_owned()),
    ]
}

/// Back to the applicant's page the document belongs to (or the staff home).
async fn withdrawal_refused(
    services: &Services,
    document_id: Uuid,
    error: &WithdrawError,
) -> PageRefusal {
    let document = services
        .storage
        .find_document(document_id)
        .await
        .ok()
        .flatten();
    match document {
        Some(document) => PageRefusal::because(file_page(document.applicant_id), error),
        None => PageRefusal::because("/staff", error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_sent_in_both_rfc_6266_forms() {
        assert_eq!(
            content_disposition("décision 2026.pdf"),
            "inline; filename=\"d_cision 2026.pdf\"; filename*=UTF-8''d%C3%A9cision%202026.pdf"
        );
    }

    #[test]
    fn an_untitled_file_is_titled_by_its_name() {
        assert_eq!(title_for("", "Convocation.pdf"), "Convocation");
        assert_eq!(title_for(" Décision ", "x.pdf"), " Décision ");
    }
}
