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
use refusal::Code;
use server::{
    Services,
    accounts::contact::{
        ContactError, ContactPoint, choose_channels, confirm_contact, remove_contact,
        remove_given_contact, request_email_verification, request_phone_verification,
    },
    accounts::one_time_code::IssuedCode,
    http::{
        OrBackTo, PageRefusal, filled_form,
        who_is_asking::{RecentlyAuthenticated, SignedInApplicant},
    },
    storage::{ContactKind, NotificationChannels},
};
use uuid::Uuid;

use crate::{
    app_state::{AppState, locale_of},
    notifications::code_delivery::{ContactChange, announce_contact_change, locale_for, send_code},
    session_layer::ClientAddressHash,
};

const PAGE: &str = "/account/contact";

type Answer = Result<Response, PageRefusal>;

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
    detailed_reminders: Option<String>,
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

pub async fn submit_email(
    State(state): State<AppState>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    headers: HeaderMap,
    form: Result<axum::Form<EmailForm>, FormRejection>,
) -> Answer {
    let applicant_id = signed_in.subject_id;
    let form = filled_form(form, |_| true, PAGE, Code::Missing)?;
    let services = &state.services;
    let (storage, now) = (services.storage.as_ref(), services.clock.now());
    let issued = request_email_verification(storage, applicant_id, &form.email, now).await;
    send_verification(
        services,
        applicant_id,
        &headers,
        issued,
        ContactPoint::Email,
    )
    .await
}

pub async fn submit_phone(
    State(state): State<AppState>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    headers: HeaderMap,
    form: Result<axum::Form<PhoneForm>, FormRejection>,
) -> Answer {
    let applicant_id = signed_in.subject_id;
    let form = filled_form(form, |_| true, PAGE, Code::Phone)?;
    let services = &state.services;
    let (storage, now) = (services.storage.as_ref(), services.clock.now());
    let issued = request_phone_verification(storage, applicant_id, &form.phone, now).await;
    send_verification(
        services,
        applicant_id,
        &headers,
        issued,
        ContactPoint::Phone,
    )
    .await
}

/// Sends the code just issued to the address or number it verifies, in the applicant's language.
async fn send_verification(
    services: &Services,
    applicant_id: Uuid,
    headers: &HeaderMap,
    issued: Result<(String, IssuedCode), ContactError>,
    contact_point: fn(String) -> ContactPoint,
) -> Answer {
    let (destination, code) = issued.or_back_to(PAGE)?;
    let locale = applicant_locale(services, applicant_id, headers).await;
    let to = contact_point(destination);
    let via = match to {
        ContactPoint::Email(_) => "email",
        ContactPoint::Phone(_) => "sms",
    };
    send_code(services, &to, &code.digits, locale)
        .await
        .map_err(|error| PageRefusal::unavailable(PAGE, &error))?;
    let id = code.record.id;
    Ok(Redirect::to(&format!("/account/contact/confirm?code={id}&via={via}")).into_response())
}

pub async fn submit_removal(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    headers: HeaderMap,
    form: Result<axum::Form<RemoveForm>, FormRejection>,
) -> Answer {
    let (kind, given) = match form.as_ref().map(|form| form.kind.as_str()) {
        Ok("email") => (ContactKind::Email, false),
        Ok("phone") => (ContactKind::Phone, false),
        Ok("given_email") => (ContactKind::Email, true),
        Ok("given_phone") => (ContactKind::Phone, true),
        _ => return Err(PageRefusal::new(PAGE, Code::Missing)),
    };
    let services = &state.services;
    let (storage, now) = (services.storage.as_ref(), services.clock.now());
    let applicant_id = signed_in.subject_id;
    if given {
        // Given by the office, never verified by the applicant: nobody to tell.
        remove_given_contact(storage, applicant_id, kind, ip_hash)
            .await
            .or_back_to(PAGE)?;
        return Ok(
            Redirect::to(&format!("/account/contact?removed={}", kind.as_str())).into_response(),
        );
    }
    let removed = remove_contact(storage, applicant_id, kind, ip_hash, now)
        .await
        .or_back_to(PAGE)?;
    if let Some(previous) = removed {
        announce(
            services,
            applicant_id,
            &headers,
            previous,
            ContactChange::Removed,
        )
        .await;
    }
    Ok(Redirect::to(&format!("/account/contact?removed={}", kind.as_str())).into_response())
}

pub async fn submit_channels(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    RecentlyAuthenticated(signed_in): RecentlyAuthenticated,
    form: Result<axum::Form<ChannelsForm>, FormRejection>,
) -> Answer {
    let form = filled_form(form, |_| true, PAGE, Code::Missing)?;
    let channels = NotificationChannels {
        email: form.email.is_some(),
        sms: form.sms.is_some(),
        detailed_reminders: form.detailed_reminders.is_some(),
    };
    let (storage, now) = (state.services.storage.as_ref(), state.services.clock.now());
    choose_channels(storage, signed_in.subject_id, channels, ip_hash, now)
        .await
        .or_back_to(PAGE)?;
    Ok(Redirect::to("/account/contact?channels=saved").into_response())
}

/// The applicant's own language for a message, else the page's.
async fn applicant_locale(services: &Services, applicant_id: Uuid, headers: &HeaderMap) -> Locale {
    let preferred = match services.storage.find_applicant(applicant_id).await {
        Ok(Some(applicant)) => applicant.message_language().to_owned(),
        _ => String::new(),
    };
    locale_for(&preferred, locale_of(headers))
}

/// Tells the replaced or removed address or number, in the applicant's language. A failure is
/// logged, not shown: the change itself is done, and the audit log has it.
async fn announce(
    services: &Services,
    applicant_id: Uuid,
    headers: &HeaderMap,
    previous: ContactPoint,
    change: ContactChange,
) {
    let locale = applicant_locale(services, applicant_id, headers).await;
    if let Err(error) = announce_contact_change(services, &previous, change, locale).await {
        tracing::error!(%error, ?change, "the previous contact could not be told");
    }
}

pub async fn submit_email_code(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    SignedInApplicant(signed_in): SignedInApplicant,
    headers: HeaderMap,
    form: Result<axum::Form<ConfirmForm>, FormRejection>,
) -> Answer {
    let applicant_id = signed_in.subject_id;
    let form = filled_form(form, |_| true, PAGE, Code::CodeExpired)?;
    let code_id = Uuid::parse_str(form.code_id.trim())
        .map_err(|_| PageRefusal::new(PAGE, Code::CodeExpired))?;
    let via = if form.via.as_deref() == Some("sms") {
        "sms"
    } else {
        "email"
    };
    let confirm_page = format!("/account/contact/confirm?code={code_id}&via={via}");
    if form.code.trim().is_empty() {
        return Err(PageRefusal::new(confirm_page, Code::Missing));
    }
    let services = &state.services;
    let (storage, now) = (services.storage.as_ref(), services.clock.now());
    let confirmed = confirm_contact(storage, applicant_id, code_id, &form.code, ip_hash, now)
        .await
        .or_back_to(confirm_page)?;
    if let Some(previous) = confirmed.replaced {
        announce(
            services,
            applicant_id,
            &headers,
            previous,
            ContactChange::Replaced,
        )
        .await;
    }
    let next = match confirmed.kind {
        ContactKind::Email => "/account?contact=confirmed",
        ContactKind::Phone => "/account?contact=phone",
    };
    Ok(Redirect::to(next).into_response())
}
