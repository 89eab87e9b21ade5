//! Document routes: the applicant opens their own documents, staff open any and post new ones.
//! Thin: who is asking comes from the session layer, the rules from `server::documents`.
//!
//! - `GET /account/documents/{id}`: the applicant's PDF (the first opening is the notification).
//! - `GET /staff/documents/{id}`: the same file for staff (recorded, never a notification).
//! - `POST /staff/applicants/{id}/documents`: multipart form, one or more PDFs.

use axum::{
    Extension,
    extract::{Multipart, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use server::{
    Services,
    documents::{
        DocumentKind,
        pdf_inspection::PdfRefusal,
        publishing::{PublishError, Upload, publish},
        reading::{OpenedDocument, ReadError, Reader, open},
    },
    sessions::SignedIn,
    staff::StaffPermission,
    storage::{Actor, SubjectKind},
};
use uuid::Uuid;

use crate::{
    session_layer::ClientAddressHash, sign_in_form::back_to, staff_forms::authorized,
    startup::locale_of,
};

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
    signed_in: Option<Extension<SignedIn>>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(applicant) = signed_in
        .map(|Extension(signed_in)| signed_in)
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Applicant)
    else {
        return Redirect::to("/sign-in").into_response();
    };
    let reader = Reader::Applicant(applicant.subject_id);
    serve_document(&services, reader, &id, address, &headers).await
}

pub async fn open_as_staff(
    State(services): State<Services>,
    signed_in: Option<Extension<SignedIn>>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match authorized(&services, signed_in, StaffPermission::ReadDocuments).await {
        Ok(member) => {
            serve_document(&services, Reader::Staff(member.id), &id, address, &headers).await
        }
        Err(response) => response,
    }
}

fn upload_error_code(error: &PublishError) -> &'static str {
    match error {
        PublishError::UnknownApplicant => "not_found",
        PublishError::InvalidTitle => "title",
        PublishError::TooLarge { .. } => "too_large",
        PublishError::Refused(PdfRefusal::NotAPdf) => "not_pdf",
        PublishError::Refused(PdfRefusal::Damaged) => "damaged",
        PublishError::Refused(PdfRefusal::TooComplex) => "too_complex",
        PublishError::Refused(PdfRefusal::JavaScript) => "javascript",
        PublishError::Refused(PdfRefusal::LaunchAction) => "launch",
        PublishError::Refused(PdfRefusal::EmbeddedFile) => "embedded",
        PublishError::Refused(PdfRefusal::Encrypted) => "encrypted",
        PublishError::Duplicate => "duplicate",
        PublishError::Interrupted => "no_file",
        PublishError::Store(_) | PublishError::Storage(_) | PublishError::Encryption(_) => {
            "unavailable"
        }
    }
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

pub async fn post_documents(
    State(services): State<Services>,
    signed_in: Option<Extension<SignedIn>>,
    Path(applicant): Path<String>,
    mut form: Multipart,
) -> Response {
    let member = match authorized(&services, signed_in, StaffPermission::PushDocuments).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let applicant = match Uuid::parse_str(&applicant) {
        Ok(id) => services.storage.find_applicant(id).await.ok().flatten(),
        Err(_) => None,
    };
    let Some(applicant) = applicant else {
        return back_to("/staff", "not_found");
    };
    let number = applicant
        .foreigner_number
        .clone()
        .or(applicant.file_number.clone())
        .unwrap_or_default();
    let page = format!("/staff/applicant?number={number}");
    let mut kind = None;
    let mut title = String::new();
    let mut published = 0;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return back_to(&format!("{page}&published={published}"), "no_file"),
        };
        match field.name() {
            Some("kind") => {
                kind = field
                    .text()
                    .await
                    .ok()
                    .and_then(|code| DocumentKind::from_code(&code))
            }
            Some("title") => title = field.text().await.unwrap_or_default(),
            Some("files") => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                if file_name.is_empty() {
                    continue;
                }
                let Some(kind) = kind else {
                    return back_to(&page, "kind");
                };
                let upload = Upload {
                    applicant_id: applicant.id,
                    kind,
                    title: title_for(&title, &file_name),
                    file_name,
                    uploaded_by: Actor::staff(member.id),
                };
                match publish(&services, upload, field).await {
                    Ok(_) => published += 1,
                    Err(error) => {
                        let code = upload_error_code(&error);
                        if code == "unavailable" {
                            tracing::error!(%error, "a document could not be posted");
                        }
                        return back_to(&format!("{page}&published={published}"), code);
                    }
                }
            }
            _ => {}
        }
    }
    if published == 0 {
        return back_to(&page, "no_file");
    }
    Redirect::to(&format!("{page}&published={published}")).into_response()
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
