//! What every handler is given: the state the router shares (services and Leptos' options),
//! and the language the request asks for. Below the router and the handlers alike, so neither
//! imports the other.

use app::i18n::{Locale, negotiate};
use axum::{
    extract::FromRef,
    http::{HeaderMap, header},
};
use leptos::config::LeptosOptions;
use server::Services;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}

/// The page language: the language cookie, else `Accept-Language`, else French.
pub(crate) fn locale_of(headers: &HeaderMap) -> Locale {
    let text = |name: header::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    negotiate(text(header::COOKIE), text(header::ACCEPT_LANGUAGE))
}
