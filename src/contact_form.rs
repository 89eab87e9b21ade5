//! `POST /account/contact` (send a code to a new address) and `POST /account/contact/confirm`
//! (type it back). Both are under `/account`: the session middleware has already refused anyone
//! not signed in, and each handler still takes the applicant from the session, never the form.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use server::{
    contact::{confirm_email, request_email_verification},
    sessions::SignedIn,
    storage::SubjectKind,
};
use uuid::Uuid;

use crate::{
    code_email::{locale_for, send_code},
    session_layer::ClientAddressHash,
    sign_in_form::back_to,
    startup::{AppState, locale_of},
};

#[derive(serde::Deserialize)]
pub struct EmailForm {
    email: String,
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    code_id: String,
    code: String,
}

impl std::fmt::Debug for ConfirmForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfirmForm([redacted])")
    }
}

fn applicant(signed_in: Option<Extension<SignedIn>>) -> Option<Uuid> {
    signed_in
        .map(|Extension(signed_in)| signed_in)
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Applicant)
        .map(|signed_in| signed_in.subject_id)
}

pub async fn submit_email(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    form: Result<axum::Form<EmailForm>, FormRejection>,
) -> Response {
    let Some(applicant_id) = applicant(signed_in) else {
        return back_to("/sign-in", "expired");
    };
    let Ok(axum::Form(form)) = form else {
        return back_to("/account/contact", "missing");
    };
    let services = &state.services;
    let storage = services.storage.as_ref();
    let now = Utc::now();
    let (email, code) =
        match request_email_verification(storage, applicant_id, &form.email, now).await {
            Ok(issued) => issued,
            Err(error) => {
                if error.code() == "unavailable" {
                    tracing::error!(%error, "email verification could not start");
                }
                return back_to("/account/contact", error.code());
            }
        };
    let preferred = match storage.find_applicant(applicant_id).await {
        Ok(Some(applicant)) => applicant.preferred_language,
        _ => String::new(),
    };
    let locale = locale_for(&preferred, locale_of(&headers));
    if let Err(error) = send_code(services, &email, &code.digits, locale).await {
        tracing::error!(%error, "verification code could not be sent");
        return back_to("/account/contact", "unavailable");
    }
    Redirect::to(&format!("/account/contact/confirm?code={}", code.record.id)).into_response()
}

pub async fn submit_email_code(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<ConfirmForm>, FormRejection>,
) -> Response {
    let Some(applicant_id) = applicant(signed_in) else {
        return back_to("/sign-in", "expired");
    };
    let Ok(axum::Form(form)) = form else {
        return back_to("/account/contact", "code_expired");
    };
    let Ok(code_id) = Uuid::parse_str(form.code_id.trim()) else {
        return back_to("/account/contact", "code_expired");
    };
    let confirm_page = format!("/account/contact/confirm?code={code_id}");
    if form.code.trim().is_empty() {
        return back_to(&confirm_page, "missing");
    }
    let services = &state.services;
    match confirm_email(
        services.storage.as_ref(),
        applicant_id,
        code_id,
        &form.code,
        ip_hash,
        Utc::now(),
    )
    .await
    {
        Ok(()) => Redirect::to("/account?contact=confirmed").into_response(),
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "email could not be confirmed");
            }
            back_to(&confirm_page, error.code())
        }
    }
}
