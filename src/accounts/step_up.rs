//! The pages where someone proves it is them again before a change that could hand an account
//! to someone else (`server::accounts::step_up`): an applicant types their password
//! (`POST /account/confirm-password`), a staff member a fresh authenticator code
//! (`POST /staff/confirm`). The extractors that demand it are
//! `server::http::who_is_asking::{RecentlyAuthenticated, RecentlyAuthenticatedStaff}`.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::HeaderValue,
    response::Response,
};
use refusal::Code;
use server::{
    Services,
    accounts::sessions::SignedIn,
    accounts::step_up,
    http::{OrBackTo, PageRefusal, cookies, filled_form, who_is_asking::Side},
    secret::Secret,
};

use crate::{app_state::AppState, session_layer::ClientAddressHash};

/// The cookie that lets `session` make sensitive changes for a few minutes.
pub fn step_up_cookie(services: &Services, session: &SignedIn) -> HeaderValue {
    let side = Side::of(session.subject_kind);
    let token = step_up::grant(&services.session_tokens(), session, services.clock.now());
    cookies::set(
        side.step_up_cookie(),
        &token,
        services.config.serves_https(),
    )
}

/// The applicant's password, or the staff member's authenticator code.
#[derive(serde::Deserialize)]
pub struct ProofForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

impl std::fmt::Debug for ProofForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProofForm([redacted])")
    }
}

type Proof = Result<axum::Form<ProofForm>, FormRejection>;

/// `POST /account/confirm-password`.
pub async fn submit_password(
    State(state): State<AppState>,
    address: Extension<ClientAddressHash>,
    parts: http::request::Parts,
    form: Proof,
) -> Result<Response, PageRefusal> {
    confirm(&state.services, Side::Applicant, address, &parts, form).await
}

/// `POST /staff/confirm`.
pub async fn submit_staff_code(
    State(state): State<AppState>,
    address: Extension<ClientAddressHash>,
    parts: http::request::Parts,
    form: Proof,
) -> Result<Response, PageRefusal> {
    confirm(&state.services, Side::Staff, address, &parts, form).await
}

async fn confirm(
    services: &Services,
    side: Side,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    parts: &http::request::Parts,
    form: Proof,
) -> Result<Response, PageRefusal> {
    let signed_in = side.session(parts)?;
    let page = side.confirm_page();
    let given = |form: &ProofForm| match side {
        Side::Applicant => !form.password.is_empty(),
        Side::Staff => !form.code.trim().is_empty(),
    };
    let form = filled_form(form, given, page, Code::Missing)?;
    let storage = services.storage.as_ref();
    let now = services.clock.now();
    match side {
        Side::Applicant => {
            let password = Secret::new(form.password);
            step_up::confirm_password(storage, &signed_in, password, ip_hash, now).await
        }
        Side::Staff => step_up::confirm_totp(storage, &signed_in, &form.code, ip_hash, now).await,
    }
    .or_back_to(page)?;
    let cookie = step_up_cookie(services, &signed_in);
    Ok(cookies::redirect_with(side.home(), [cookie]))
}
