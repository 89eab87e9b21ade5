//! Administrators' forms for back-office API keys: create one (its secret goes to the next page
//! once, in a short-lived cookie scoped to `/staff`, never in a URL or a log) and revoke one.
//! Both want a fresh authenticator code (`RecentlyAuthenticatedStaff`).

use axum::{
    extract::{State, rejection::FormRejection},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use serde::Deserialize;
use server::{
    api_keys::{self, ApiScope},
    staff::StaffPermission,
    storage::Actor,
};

use crate::{
    sign_in_form::back_to, staff_forms::authorized_now, startup::AppState,
    step_up::RecentlyAuthenticatedStaff,
};

#[derive(Deserialize)]
pub struct NewKeyForm {
    name: String,
    applicants_write: Option<String>,
    documents_write: Option<String>,
    documents_read: Option<String>,
}

pub async fn submit_new_key(
    State(state): State<AppState>,
    recent: RecentlyAuthenticatedStaff,
    form: Result<axum::Form<NewKeyForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let admin = match authorized_now(services, recent, StaffPermission::ManageApiKeys).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Ok(axum::Form(form)) = form else {
        return back_to("/staff", "key_name");
    };
    let scopes: Vec<ApiScope> = [
        (form.applicants_write.is_some(), ApiScope::ApplicantsWrite),
        (form.documents_write.is_some(), ApiScope::DocumentsWrite),
        (form.documents_read.is_some(), ApiScope::DocumentsRead),
    ]
    .into_iter()
    .filter_map(|(ticked, scope)| ticked.then_some(scope))
    .collect();
    let created = api_keys::create(
        services.storage.as_ref(),
        &form.name,
        &scopes,
        Actor::staff(admin.id),
        Utc::now(),
    )
    .await;
    match created {
        Ok((key, secret)) => {
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
            response
        }
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "an API key could not be created");
            }
            back_to("/staff", error.code())
        }
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    key_id: String,
}

pub async fn submit_revocation(
    State(state): State<AppState>,
    recent: RecentlyAuthenticatedStaff,
    form: Result<axum::Form<RevokeForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let admin = match authorized_now(services, recent, StaffPermission::ManageApiKeys).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Some(id) = form
        .ok()
        .and_then(|axum::Form(form)| uuid::Uuid::parse_str(&form.key_id).ok())
    else {
        return back_to("/staff", "unavailable");
    };
    match api_keys::revoke(
        services.storage.as_ref(),
        id,
        Actor::staff(admin.id),
        Utc::now(),
    )
    .await
    {
        Ok(_) => Redirect::to("/staff?api_key_revoked=1").into_response(),
        Err(error) => {
            tracing::error!(%error, "an API key could not be revoked");
            back_to("/staff", "unavailable")
        }
    }
}
