//! The administrators' view of the back-office API keys. The server function answers
//! administrators only. A key's secret is shown once: the creation form's handler hands it over
//! in a short-lived cookie scoped to `/staff`, which this function reads and clears at once, so
//! the secret is never stored, logged or put in a URL.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie that carries a new key's secret from the form's handler to the page, once.
pub const NEW_API_KEY_COOKIE: &str = "eu-new-api-key";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyEntry {
    pub id: String,
    pub name: String,
    /// Localized descriptions of what the key may do.
    pub scopes: Vec<String>,
    /// "Created on …" or "Revoked on …".
    pub state: String,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyListing {
    pub keys: Vec<ApiKeyEntry>,
    /// The secret of the key just created, shown this once.
    pub new_secret: Option<String>,
}

#[server(endpoint = "staff/api-keys")]
pub async fn api_key_overview() -> Result<ApiKeyListing, ServerFnError> {
    use server::{
        back_office_api::api_keys::ApiScope,
        documents::office_time::office_date,
        http::who_is_asking::{SignedInStaff, may},
    };

    let call = crate::server_context::Call::here();
    let SignedInStaff::<may::ManageApiKeys> { member, .. } = call.asking().await?;
    let services = &call.services;
    let unavailable = |error| call.unavailable(error);
    let m = call.messages();
    let keys = services
        .storage
        .api_keys()
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|key| {
            let scopes = ApiScope::ALL
                .into_iter()
                .filter(|scope| key.allows(*scope))
                .map(|scope| match scope {
                    ApiScope::ApplicantsWrite => m.staff_api_scope_applicants_write.clone(),
                    ApiScope::DocumentsWrite => m.staff_api_scope_documents_write.clone(),
                    ApiScope::DocumentsRead => m.staff_api_scope_documents_read.clone(),
                    ApiScope::ApplicantsRead => m.staff_api_scope_applicants_read.clone(),
                })
                .collect();
            let state = match key.revoked_at {
                Some(at) => crate::i18n::fill(
                    &m.staff_api_key_state_revoked,
                    &[("date", &office_date(at))],
                ),
                None => crate::i18n::fill(
                    &m.staff_api_key_state_active,
                    &[("date", &office_date(key.created_at))],
                ),
            };
            ApiKeyEntry {
                id: key.id.to_string(),
                name: key.name,
                scopes,
                state,
                revoked: key.revoked_at.is_some(),
            }
        })
        .collect();
    tracing::debug!(member = %member.id, "API keys listed");
    Ok(ApiKeyListing {
        keys,
        new_secret: take_new_secret(&call),
    })
}

/// The secret in the one-time cookie, if any; the cookie is cleared in the same answer.
#[cfg(feature = "ssr")]
fn take_new_secret(call: &crate::server_context::Call) -> Option<String> {
    let parts = call.request()?;
    let secret = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NEW_API_KEY_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| value.starts_with("eu_"))?;
    let response = call.response()?;
    if let Ok(clear) = http::HeaderValue::from_str(&format!(
        "{NEW_API_KEY_COOKIE}=; Path=/staff; Max-Age=0; HttpOnly; SameSite=Strict"
    )) {
        response.append_header(http::header::SET_COOKIE, clear);
    }
    response.insert_header(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    Some(secret)
}
