//! `POST /account/notifications/read`: marks one of the applicant's in-app notices read
//! (`notice` names it), or all of them. A plain form, so it works without the WebAssembly; the
//! applicant comes from the session, and the storage only touches that applicant's notices.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    response::{IntoResponse, Redirect, Response},
};
use server::{sessions::SignedIn, storage::SubjectKind};
use uuid::Uuid;

use crate::{sign_in_form::back_to, startup::AppState};

#[derive(serde::Deserialize)]
pub struct MarkReadForm {
    notice: Option<String>,
}

pub async fn mark_read(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<MarkReadForm>, FormRejection>,
) -> Response {
    let Some(applicant_id) = signed_in
        .map(|Extension(signed_in)| signed_in)
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Applicant)
        .map(|signed_in| signed_in.subject_id)
    else {
        return back_to("/sign-in", "expired");
    };
    let notice = match form.map(|axum::Form(form)| form.notice) {
        Ok(None) => None,
        Ok(Some(text)) if text.is_empty() => None,
        Ok(Some(text)) => match Uuid::parse_str(text.trim()) {
            Ok(id) => Some(id),
            Err(_) => return back_to("/account/notifications", "missing"),
        },
        Err(_) => return back_to("/account/notifications", "missing"),
    };
    let services = &state.services;
    let now = services.clock.now();
    match services
        .storage
        .mark_notices_read(applicant_id, notice, now)
        .await
    {
        Ok(_) => Redirect::to("/account/notifications?read=1").into_response(),
        Err(error) => {
            tracing::error!(%error, "notices could not be marked read");
            back_to("/account/notifications", "unavailable")
        }
    }
}
