//! Administrators' forms for back-office API keys: create one (its secret goes to the next page
//! once, in a short-lived cookie scoped to `/staff`, never in a URL or a log) and revoke one.
//! Both want a fresh authenticator code (`RecentlyAuthenticatedStaff`).

use axum::{
    extract::{State, rejection::FormRejection},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use refusal::Code;
use serde::Deserialize;
use server::{
    back_office_api::api_keys::{self, ApiScope},
    http::{
        OrBackTo, PageRefusal, filled_form,
        who_is_asking::{RecentlyAuthenticatedStaff, may},
    },
    storage::Actor,
};

use crate::app_state::AppState;

#[derive(Deserialize)]
pub struct NewKeyForm {
    name: String,
    applicants_write: Option<String>,
    documents_write: Option<String>,
    documents_read: Option<String>,
    applicants_read: Option<String>,
}

pub async fn submit_new_key(
    State(state): State<AppState>,
    admin: RecentlyAuthenticatedStaff<may::ManageApiKeys>,
    form: Result<axum::Form<NewKeyForm>, FormRejection>,
) -> Result<Response, PageRefusal> {
    const FORM: &str = "/staff?form=api_key";
    let form = filled_form(form, |_| true, FORM, Code::KeyName)?;
    let scopes: Vec<ApiScope> = [
        (form.applicants_write.is_some(), ApiScope::ApplicantsWrite),
        (form.documents_write.is_some(), ApiScope::DocumentsWrite),
        (form.documents_read.is_some(), ApiScope::DocumentsRead),
        (form.applicants_read.is_some(), ApiScope::ApplicantsRead),
    ]
    .into_iter()
    .filter_map(|(ticked, scope)| ticked.then_some(scope))
    .collect();
    let services = &state.services;
    let (storage, by) = (services.storage.as_ref(), Actor::staff(admin.member.id));
    let (key, secret) = api_keys::create(storage, &form.name, &scopes, by, services.clock.now())
        .await
        .or_back_to(FORM)?;
    tracing::info!(api_key = %key.id, scopes = %key.scopes, "API key created");
    let secure = if services.config.serves_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={}; Path=/staff; Max-Age=120; HttpOnly; SameSite=Strict{secure}",
        app::api_key_admin::NEW_API_KEY_COOKIE,
        secret.expose()
    );
    let mut response = Redirect::to("/staff#api-keys-title").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct RevokeForm {
    key_id: String,
}

pub async fn submit_revocation(
    State(state): State<AppState>,
    admin: RecentlyAuthenticatedStaff<may::ManageApiKeys>,
    form: Result<axum::Form<RevokeForm>, FormRejection>,
) -> Result<Response, PageRefusal> {
    let id = form
        .ok()
        .and_then(|axum::Form(form)| uuid::Uuid::parse_str(&form.key_id).ok())
        .ok_or(PageRefusal::new("/staff", Code::NotFound))?;
    let services = &state.services;
    let (storage, by) = (services.storage.as_ref(), Actor::staff(admin.member.id));
    api_keys::revoke(storage, id, by, services.clock.now())
        .await
        .map_err(|error| PageRefusal::unavailable("/staff", &error))?;
    Ok(Redirect::to("/staff?api_key_revoked=1").into_response())
}
