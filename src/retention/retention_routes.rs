//! Retention and access requests over HTTP:
//!
//! - `GET /account/data-export`: the signed-in applicant's own data, as a JSON file.
//! - `GET /staff/applicants/{id}/data-export`: the same for a supervisor answering a written
//!   request.
//! - `POST /staff/applicants/{id}/closure`: a supervisor closes (`action=close`, with
//!   `confirm=yes`) or reopens (`action=reopen`) an account.
//!
//! Every export is audited; the domain is in `server::retention::data_export` and `server::retention`.

use axum::{
    Extension, Form,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use refusal::Code;
use serde::Deserialize;
use server::{
    Services,
    http::{
        OrBackTo, PageRefusal,
        who_is_asking::{SignedInApplicant, SignedInStaff, may},
    },
    retention::set_closed,
    storage::{ActorKind, Applicant, NewAuditEvent},
};
use uuid::Uuid;

use crate::{
    app_state::locale_of, documents::document_routes::file_page, session_layer::ClientAddressHash,
};

pub async fn export_own_data(
    State(services): State<Services>,
    SignedInApplicant(signed_in): SignedInApplicant,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
) -> Response {
    let applicant = match services.storage.find_applicant(signed_in.subject_id).await {
        Ok(Some(applicant)) => applicant,
        Ok(None) => return Redirect::to("/sign-in").into_response(),
        Err(error) => return unavailable(&headers, &error),
    };
    let event = exported_event(ActorKind::Applicant, applicant.id, applicant.id, address.0);
    export_response(&services, &applicant, event, &headers).await
}

pub async fn export_for_staff(
    State(services): State<Services>,
    staff: SignedInStaff<may::ExportPersonalData>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(applicant_id): Path<String>,
) -> Result<Response, PageRefusal> {
    let applicant = match find(&services, &applicant_id).await {
        Ok(Some(applicant)) => applicant,
        Ok(None) => return Err(PageRefusal::new("/staff/find", Code::NotFound)),
        Err(error) => return Ok(unavailable(&headers, &error)),
    };
    let event = exported_event(ActorKind::Staff, staff.member.id, applicant.id, address.0);
    Ok(export_response(&services, &applicant, event, &headers).await)
}

#[derive(Deserialize)]
pub struct ClosureForm {
    action: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn submit_closure(
    State(services): State<Services>,
    staff: SignedInStaff<may::CloseAccounts>,
    Path(applicant_id): Path<String>,
    Form(form): Form<ClosureForm>,
) -> Result<Response, PageRefusal> {
    let applicant = find(&services, &applicant_id)
        .await
        .map_err(|error| PageRefusal::unavailable("/staff", &error))?
        .ok_or(PageRefusal::new("/staff/find", Code::NotFound))?;
    let form_page = format!("{}?form=closure", file_page(applicant.id));
    let close = match form.action.as_str() {
        "close" if form.confirm.as_deref() == Some("yes") => true,
        "close" => return Err(PageRefusal::new(form_page, Code::Confirm)),
        "reopen" => false,
        _ => return Err(PageRefusal::new(form_page, Code::Unchanged)),
    };
    let closed = set_closed(&services, &staff.member, applicant.id, close)
        .await
        .or_back_to(form_page)?;
    let done = if closed.is_some() {
        "closed"
    } else {
        "reopened"
    };
    let page = file_page(applicant.id);
    Ok(Redirect::to(&format!("{page}?closure={done}")).into_response())
}

/// The applicant with this id; any text that is not an id is nobody.
async fn find(
    services: &Services,
    id: &str,
) -> Result<Option<Applicant>, server::storage::StorageError> {
    match Uuid::parse_str(id) {
        Ok(id) => services.storage.find_applicant(id).await,
        Err(_) => Ok(None),
    }
}

fn exported_event(
    actor_kind: ActorKind,
    actor_id: Uuid,
    applicant_id: Uuid,
    ip_hash: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind,
        actor_id: Some(actor_id),
        action: "personal_data_exported",
        target_kind: Some("applicant"),
        target_id: Some(applicant_id),
        ip_hash,
        succeeded: true,
    }
}

/// The export as a download, recorded in the audit log first: an export the log does not show
/// is never sent.
async fn export_response(
    services: &Services,
    applicant: &Applicant,
    event: NewAuditEvent,
    headers: &HeaderMap,
) -> Response {
    if let Err(error) = services.storage.append_audit_event(&event).await {
        return unavailable(headers, &error);
    }
    let export = match server::retention::data_export::export(services, applicant).await {
        Ok(export) => export,
        Err(error) => return unavailable(headers, &error),
    };
    let body = match serde_json::to_vec_pretty(&export) {
        Ok(body) => body,
        Err(error) => return unavailable(headers, &error),
    };
    let file_name = format!(
        "espace-usager-{}.json",
        export.exported_at.format("%Y-%m-%d")
    );
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn unavailable(headers: &HeaderMap, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "personal data could not be exported");
    let message = locale_of(headers).messages().service_unavailable.clone();
    (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
}
