//! The contact settings' forms: `POST /account/contact` (send a code to a new address),
//! `/account/contact/phone` (send one by SMS to a new number), `/account/contact/confirm` (type
//! it back), `/account/contact/remove` and `/account/contact/channels`. All are under
//! `/account`: the session middleware has already refused anyone not signed in, and each
//! handler still takes the applicant from the session, never the form. Every change of where
//! codes and alerts go takes `RecentlyAuthenticated`: the password typed a moment ago.

use app::i18n::Locale;
use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use server::{
    Services,
    contact::{
        ContactError, ContactPoint, choose_channels, confirm_contact, remove_contact,
        request_email_verification, request_phone_verification,
    },
    one_time_code::IssuedCode,
    sessions::SignedIn,
    storage::{ContactKind, NotificationChannels, SubjectKind},
};
use uuid::Uuid;

use crate::{
    code_delivery::{announce_replaced_contact, locale_for, send_code},
    session_layer::ClientAddressHash,
    sign_in_form::back_to,
    startup::{AppState, locale_of},
    step_up::RecentlyAuthenticated,
};

#[derive(serde::Deserialize)]
pub struct EmailForm {
    email: String,
}

#[derive(serde::Deserialize)]
pub struct PhoneForm {
    phone: String,
}

#[derive(serde::Deserialize)]
pub struct RemoveForm {
    kind: String,
}

/// Unticked boxes are simply absent from the form.
#[derive(serde::Deserialize)]
pub struct ChannelsForm {
    email: Option<String>,
    sms: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    code_id: String,
    code: String,
    /// `email` or `sms`: which page to show again after a mistake.
    via: Option<String>,
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
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    headers: HeaderMap,
    form: Result<axum::Form<EmailForm>, FormRejection>,
) -> Response {
    let applicant_id = signed_in.subject_id;
    let Ok(axum::Form(form)) = form else {
        return back_to("/account/contact", "missing");
    };
    let storage = state.services.storage.as_ref();
    let issued = request_email_verification(storage, applicant_id, &form.email, Utc::now()).await;
    send_verification(&state, applicant_id, &headers, issued, ContactPoint::Email).await
}

pub async fn submit_phone(
    State(state): State<AppState>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    headers: HeaderMap,
    form: Result<axum::Form<PhoneForm>, FormRejection>,
) -> Response {
    let applicant_id = signed_in.subject_id;
    let Ok(axum::Form(form)) = form else {
        return back_to("/account/contact", "phone");
    };
    let storage = state.services.storage.as_ref();
    let issued = request_phone_verification(storage, applicant_id, &form.phone, Utc::now()).await;
    send_verification(&state, applicant_id, &headers, issued, ContactPoint::Phone).await
}

/// Sends the code just issued to the address or number it verifies, in the applicant's language.
async fn send_verification(
    state: &AppState,
    applicant_id: Uuid,
    headers: &HeaderMap,
    issued: Result<(String, IssuedCode), ContactError>,
    contact_point: fn(String) -> ContactPoint,
) -> Response {
    let services = &state.services;
    let (destination, code) = match issued {
        Ok(issued) => issued,
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "contact verification could not start");
            }
            return back_to("/account/contact", error.code());
        }
    };
    let locale = applicant_locale(services, applicant_id, headers).await;
    let to = contact_point(destination);
    let via = match to {
        ContactPoint::Email(_) => "email",
        ContactPoint::Phone(_) => "sms",
    };
    if let Err(error) = send_code(services, &to, &code.digits, locale).await {
        tracing::error!(%error, "verification code could not be sent");
        return back_to("/account/contact", "unavailable");
    }
    Redirect::to(&format!(
        "/account/contact/confirm?code={}&via={via}",
        code.record.id
    ))
    .into_response()
}

pub async fn submit_removal(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    form: Result<axum::Form<RemoveForm>, FormRejection>,
) -> Response {
    let applicant_id = signed_in.subject_id;
    let kind = match form.as_ref().map(|form| form.kind.as_str()) {
        Ok("email") => ContactKind::Email,
        Ok("phone") => ContactKind::Phone,
        _ => return back_to("/account/contact", "missing"),
    };
    let storage = state.services.storage.as_ref();
    match remove_contact(storage, applicant_id, kind, ip_hash).await {
        Ok(()) => {
            Redirect::to(&format!("/account/contact?removed={}", kind.as_str())).into_response()
        }
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "contact could not be removed");
            }
            back_to("/account/contact", error.code())
        }
    }
}

pub async fn submit_channels(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    form: Result<axum::Form<ChannelsForm>, FormRejection>,
) -> Response {
    let applicant_id = signed_in.subject_id;
    let Ok(axum::Form(form)) = form else {
        return back_to("/account/contact", "missing");
    };
    let channels = NotificationChannels {
        email: form.email.is_some(),
        sms: form.sms.is_some(),
    };
    let storage = state.services.storage.as_ref();
    match choose_channels(storage, applicant_id, channels, ip_hash).await {
        Ok(()) => Redirect::to("/account/contact?channels=saved").into_response(),
        Err(error) => {
            tracing::error!(%error, "channels could not be saved");
            back_to("/account/contact", error.code())
        }
    }
}

/// The applicant's own language for a message, else the page's.
async fn applicant_locale(services: &Services, applicant_id: Uuid, headers: &HeaderMap) -> Locale {
    let preferred = match services.storage.find_applicant(applicant_id).await {
        Ok(Some(applicant)) => applicant.message_language().to_owned(),
        _ => String::new(),
    };
    locale_for(&preferred, locale_of(headers))
}

/// Tells the replaced address or number, in the applicant's language. A failure is logged, not
/// shown: the change itself is done, and the audit log has it.
async fn announce(
    services: &Services,
    applicant_id: Uuid,
    headers: &HeaderMap,
    previous: ContactPoint,
) {
    let locale = applicant_locale(services, applicant_id, headers).await;
    if let Err(error) = announce_replaced_contact(services, &previous, locale).await {
        tracing::error!(%error, "the replaced contact could not be told");
    }
}

pub async fn submit_email_code(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
    headers: HeaderMap,
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
    let via = if form.via.as_deref() == Some("sms") {
        "sms"
    } else {
        "email"
    };
    let confirm_page = format!("/account/contact/confirm?code={code_id}&via={via}");
    if form.code.trim().is_empty() {
        return back_to(&confirm_page, "missing");
    }
    let services = &state.services;
    match confirm_contact(
        services.storage.as_ref(),
        applicant_id,
        code_id,
        &form.code,
        ip_hash,
        Utc::now(),
    )
    .await
    {
        Ok(confirmed) => {
            if let Some(previous) = confirmed.replaced {
                announce(services, applicant_id, &headers, previous).await;
            }
            match confirmed.kind {
                ContactKind::Email => Redirect::to("/account?contact=confirmed").into_response(),
                ContactKind::Phone => Redirect::to("/account?contact=phone").into_response(),
            }
        }
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "contact could not be confirmed");
            }
            back_to(&confirm_page, error.code())
        }
    }
}
