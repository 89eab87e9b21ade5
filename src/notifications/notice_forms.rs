//! `POST /account/notifications/read`: marks one of the applicant's in-app notices read
//! (`notice` names it), or all of them. A plain form, so it works without the WebAssembly; the
//! applicant comes from the session, and the storage only touches that applicant's notices.

use axum::{
    extract::{State, rejection::FormRejection},
    response::{IntoResponse, Redirect, Response},
};
use refusal::Code;
use server::http::{PageRefusal, who_is_asking::SignedInApplicant};
use uuid::Uuid;

use crate::app_state::AppState;

const PAGE: &str = "/account/notifications";

#[derive(serde::Deserialize)]
pub struct MarkReadForm {
    notice: Option<String>,
}

pub async fn mark_read(
    State(state): State<AppState>,
    SignedInApplicant(signed_in): SignedInApplicant,
    form: Result<axum::Form<MarkReadForm>, FormRejection>,
) -> Result<Response, PageRefusal> {
    let missing = || PageRefusal::new(PAGE, Code::Missing);
    let notice = match form.map_err(|_| missing())?.0.notice {
        Some(text) if !text.is_empty() => {
            Some(Uuid::parse_str(text.trim()).map_err(|_| missing())?)
        }
        _ => None,
    };
    let services = &state.services;
    let now = services.clock.now();
    services
        .storage
        .mark_notices_read(signed_in.subject_id, notice, now)
        .await
        .map_err(|error| PageRefusal::unavailable(PAGE, &error))?;
    Ok(Redirect::to("/account/notifications?read=1").into_response())
}
