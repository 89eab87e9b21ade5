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
    extract::{Multipart, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
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
    sessions::SignedIn,
    staff::StaffPermission,
    storage::{Actor, Applicant, SubjectKind},
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
    let page = page_of(&applicant);
    let mut kind = None;
    let mut title = String::new();
    let (mut outcome, mut appointment_at, mut place) = (None, None, None);
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
            Some("decision_outcome") => outcome = field.text().await.ok(),
            // As the `datetime-local` field sends it: the office's wall-clock time.
            Some("appointment_at") => appointment_at = field.text().await.ok(),
            Some("appointment_place") => place = field.text().await.ok(),
            Some("files") => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                if file_name.is_empty() {
                    continue;
                }
                let Some(kind) = kind else {
                    return back_to(&page, "kind");
                };
                let facts = match NoticeFacts::read(
                    given(&outcome),
                    given(&appointment_at),
                    given(&place).map(str::to_owned),
                    from_office_time,
                ) {
                    Ok(facts) => facts,
                    Err(error) => return back_to(&page, error.code()),
                };
                let upload = Upload {
                    applicant_id: applicant.id,
                    kind,
                    title: title_for(&title, &file_name),
                    file_name,
                    uploaded_by: Actor::staff(member.id),
                    replacing: None,
                    facts,
                };
                match publish(&services, upload, field).await {
                    Ok(_) => published += 1,
                    Err(error) => {
                        let code = error.code();
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

/// The acknowledgement of receipt of a notified document, drawn up now; recorded as an export.
pub async fn acknowledgement_as_staff(
    State(services): State<Services>,
    signed_in: Option<Extension<SignedIn>>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let member = match authorized(&services, signed_in, StaffPermission::ReadDocuments).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let m = locale_of(&headers).messages();
    let Ok(id) = Uuid::parse_str(&id) else {
        return (StatusCode::NOT_FOUND, m.document_not_found.clone()).into_response();
    };
    match export_acknowledgement(&services, id, Actor::staff(member.id), address.0).await {
        Ok(Some(ack)) => {
            match crate::acknowledgement_pdf::acknowledgement_pdf(&ack, services.clock.now()) {
                Ok(pdf) => {
                    let name = format!("accuse-de-reception-{id}.pdf");
                    (
                        [
                            (header::CONTENT_TYPE, "application/pdf".to_owned()),
                            (
                                header::CONTENT_DISPOSITION,
                                format!("attachment; filename=\"{name}\""),
                            ),
                            (header::CACHE_CONTROL, "no-store".to_owned()),
                            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                        ],
                        pdf,
                    )
                        .into_response()
                }
                Err(error) => {
                    tracing::error!(%error, "an acknowledgement could not be printed");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        m.document_unavailable.clone(),
                    )
                        .into_response()
                }
            }
        }
        Ok(None) => (StatusCode::NOT_FOUND, m.ack_none.clone()).into_response(),
        Err(error) => {
            tracing::error!(%error, "an acknowledgement could not be drawn up");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                m.document_unavailable.clone(),
            )
                .into_response()
        }
    }
}

/// The staff page of an applicant: found by foreigner number, else file number.
pub(crate) fn page_of(applicant: &Applicant) -> String {
    let number = applicant
        .foreigner_number
        .as_deref()
        .or(applicant.file_number.as_deref())
        .unwrap_or_default();
    format!("/staff/applicant?number={number}")
}

/// The staff page of the applicant with this id (`/staff/applicant?number=` if none).
async fn applicant_page(services: &Services, applicant_id: Uuid) -> String {
    match services.storage.find_applicant(applicant_id).await {
        Ok(Some(applicant)) => page_of(&applicant),
        _ => "/staff/applicant?number=".to_owned(),
    }
}

/// A withdrawal, or a replacement when the form brings a file. The reason comes first in the
/// form, so the file can stream straight to storage once it is known.
pub async fn post_withdrawal(
    State(services): State<Services>,
    signed_in: Option<Extension<SignedIn>>,
    Path(document): Path<String>,
    mut form: Multipart,
) -> Response {
    let member = match authorized(&services, signed_in, StaffPermission::WithdrawDocuments).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Ok(document_id) = Uuid::parse_str(&document) else {
        return back_to("/staff", "not_found");
    };
    let mut reason = String::new();
    let mut title = String::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return back_to("/staff", "no_file"),
        };
        match field.name() {
            Some("reason") => reason = field.text().await.unwrap_or_default(),
            Some("title") => title = field.text().await.unwrap_or_default(),
            Some("file") => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                if file_name.is_empty() {
                    continue;
                }
                let (replaced, withdrawal) = match prepare(&services, &member, document_id, &reason)
                    .await
                {
                    Ok(prepared) => prepared,
                    Err(error) => return withdrawal_refused(&services, document_id, &error).await,
                };
                let page = applicant_page(&services, replaced.applicant_id).await;
                let title = if title.trim().is_empty() {
                    replaced.title.clone()
                } else {
                    title.clone()
                };
                let upload = Upload {
                    applicant_id: replaced.applicant_id,
                    kind: replaced.kind,
                    title,
                    file_name,
                    uploaded_by: Actor::staff(member.id),
                    replacing: Some(withdrawal),
                    // What the notice says stays what the replaced one said.
                    facts: replaced.facts.clone(),
                };
                return match publish(&services, upload, field).await {
                    Ok(_) => Redirect::to(&format!("{page}&replaced=1")).into_response(),
                    Err(error) => {
                        if error.code() == "unavailable" {
                            tracing::error!(%error, "a replacement could not be posted");
                        }
                        back_to(&page, error.code())
                    }
                };
            }
            _ => {}
        }
    }
    match withdraw(&services, &member, document_id, &reason).await {
        Ok(withdrawn) => {
            let page = applicant_page(&services, withdrawn.applicant_id).await;
            Redirect::to(&format!("{page}&withdrawn=1")).into_response()
        }
        Err(error) => withdrawal_refused(&services, document_id, &error).await,
    }
}

async fn withdrawal_refused(
    services: &Services,
    document_id: Uuid,
    error: &WithdrawError,
) -> Response {
    if let WithdrawError::Storage(storage) = error {
        tracing::error!(error = %storage, "a withdrawal could not be recorded");
    }
    let document = services
        .storage
        .find_document(document_id)
        .await
        .ok()
        .flatten();
    match document {
        Some(document) => back_to(
            &applicant_page(services, document.applicant_id).await,
            error.code(),
        ),
        None => back_to("/staff", error.code()),
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
