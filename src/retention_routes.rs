//! Retention and access requests over HTTP:
//!
//! - `GET /account/data-export`: the signed-in applicant's own data, as a JSON file.
//! - `GET /staff/applicants/{id}/data-export`: the same for a supervisor answering a written
//!   request.
//! - `POST /staff/applicants/{id}/closure`: a supervisor closes (`action=close`, with
//!   `confirm=yes`) or reopens (`action=reopen`) an account.
//!
//! Every export is audited; the domain is in `server::data_export` and `server::retention`.

use axum::{
    Extension, Form,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use server::{
    Services,
    retention::set_closed,
    sessions::SignedIn,
    staff::StaffPermission,
    storage::{ActorKind, Applicant, NewAuditEvent, SubjectKind},
};
use uuid::Uuid;

use crate::{
    document_routes::page_of, session_layer::ClientAddressHash, sign_in_form::back_to,
    staff_forms::authorized, startup::locale_of,
};

pub async fn export_own_data(
    State(services): State<Services>,
    signed_in: Option<Extension<SignedIn>>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
) -> Response {
    let Some(signed_in) = signed_in
        .map(|Extension(signed_in)| signed_in)
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Applicant)
    else {
        return Redirect::to("/sign-in").into_response();
    };
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
    signed_in: Option<Extension<SignedIn>>,
    Extension(address): Extension<ClientAddressHash>,
    headers: HeaderMap,
    Path(applicant_id): Path<String>,
) -> Response {
    let member = match authorized(&services, signed_in, StaffPermission::ExportPersonalData).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let applicant = match find(&services, &applicant_id).await {
        Ok(Some(applicant)) => applicant,
        Ok(None) => return back_to("/staff/applicant?number=", "not_found"),
        Err(error) => return unavailable(&headers, &error),
    };
    let event = exported_event(ActorKind::Staff, member.id, applicant.id, address.0);
    export_response(&services, &applicant, event, &headers).await
}

#[derive(Deserialize)]
pub struct ClosureForm {
    action: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn submit_closure(
    State(services): State<Services>,
    signed_in: Option<Extension<SignedIn>>,
    Path(applicant_id): Path<String>,
    Form(form): Form<ClosureForm>,
) -> Response {
    let member = match authorized(&services, signed_in, StaffPermission::CloseAccounts).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let applicant = match find(&services, &applicant_id).await {
        Ok(Some(applicant)) => applicant,
        Ok(None) => return back_to("/staff/applicant?number=", "not_found"),
        Err(error) => {
            tracing::error!(%error, "an applicant could not be read for a closure");
            return back_to("/staff", "unavailable");
        }
    };
    let page = page_of(&applicant);
    let close = match form.action.as_str() {
        "close" if form.confirm.as_deref() == Some("yes") => true,
        "close" => return back_to(&format!("{page}&form=closure"), "confirm"),
        "reopen" => false,
        _ => return back_to(&format!("{page}&form=closure"), "unchanged"),
    };
    match set_closed(&services, &member, applicant.id, close).await {
        Ok(Some(_)) => Redirect::to(&format!("{page}&closure=closed")).into_response(),
        Ok(None) => Redirect::to(&format!("{page}&closure=reopened")).into_response(),
        Err(error) => {
            if let server::retention::ClosureError::Storage(storage) = &error {
                tracing::error!(error = %storage, "an account closure could not be recorded");
            }
            back_to(&format!("{page}&form=closure"), error.code())
        }
    }
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
    let export = match server::data_export::export(services, applicant).await {
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
