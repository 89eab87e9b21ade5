//! `POST /sign-in/reset` and `POST /sign-in/reset/code`. The first answers the same way whether
//! or not the number has an account, and sends the email off the request path, so that neither
//! the answer nor its timing tells.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::HeaderMap,
    response::Response,
};
use refusal::Code;
use server::{
    accounts::password_reset::{complete_reset, request_reset},
    http::{
        OrBackTo, PageRefusal,
        cookies::{self, PortalCookie},
        filled_form,
    },
    secret::Secret,
    session_token::Audience,
};

use crate::{
    accounts::sign_in_form::known_device,
    app_state::{AppState, locale_of},
    notifications::code_delivery::{locale_for, send_code},
    session_layer::ClientAddressHash,
};

const REQUEST_PAGE: &str = "/sign-in/reset";
const CODE_PAGE: &str = "/sign-in/reset/code";

#[derive(serde::Deserialize)]
pub struct ResetForm {
    foreigner_number: String,
}

#[derive(serde::Deserialize)]
pub struct ResetCodeForm {
    code: String,
    password: String,
}

impl std::fmt::Debug for ResetCodeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetCodeForm([redacted])")
    }
}

pub async fn submit_request(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<ResetForm>, FormRejection>,
) -> Result<Response, PageRefusal> {
    let filled = |form: &ResetForm| !form.foreigner_number.trim().is_empty();
    let form = filled_form(form, filled, REQUEST_PAGE, Code::Missing)?;
    let services = &state.services;
    let now = services.clock.now();
    let (storage, hasher) = (services.storage.as_ref(), &services.keyed_hasher);
    let device = known_device(services, &headers, PortalCookie::KnownDevice);
    let number = &form.foreigner_number;
    let request = request_reset(storage, hasher, number, device, ip_hash, now)
        .await
        .or_back_to(REQUEST_PAGE)?;
    if let Some(delivery) = request.delivery {
        let services = services.clone();
        let locale = locale_for(&delivery.preferred_language, locale_of(&headers));
        tokio::spawn(async move {
            let destinations = std::iter::once(&delivery.to).chain(&delivery.also_to);
            for to in destinations {
                if let Err(error) = send_code(&services, to, &delivery.digits, locale).await {
                    tracing::error!(%error, "password reset code could not be sent");
                }
            }
        });
    }
    let tokens = services.session_tokens();
    let pending = tokens.issue(
        Audience::PendingReset,
        request.subject,
        request.code_id,
        now,
    );
    let https = services.config.serves_https();
    Ok(cookies::redirect_with(
        CODE_PAGE,
        [cookies::set(PortalCookie::PendingReset, &pending, https)],
    ))
}

pub async fn submit_code(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<ResetCodeForm>, FormRejection>,
) -> Result<Response, PageRefusal> {
    let services = &state.services;
    let https = services.config.serves_https();
    let now = services.clock.now();
    let claims = cookies::verified(
        services,
        &headers,
        PortalCookie::PendingReset,
        Audience::PendingReset,
    )
    .ok_or(PageRefusal::new(REQUEST_PAGE, Code::Expired))?;
    let filled = |form: &ResetCodeForm| !form.code.trim().is_empty() && !form.password.is_empty();
    let form = filled_form(form, filled, CODE_PAGE, Code::Missing)?;
    let password = Secret::new(form.password);
    let storage = services.storage.as_ref();
    complete_reset(
        storage, claims.sub, claims.sid, &form.code, password, ip_hash, now,
    )
    .await
    .or_back_to(CODE_PAGE)?;
    Ok(cookies::redirect_with(
        "/sign-in?reset=1",
        [
            cookies::clear(PortalCookie::PendingReset, https),
            cookies::clear(PortalCookie::Session, https),
            cookies::clear(PortalCookie::RememberedDevice, https),
        ],
    ))
}
