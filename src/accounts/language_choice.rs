//! The page language: `POST /language`, the picker on every page; and the web app manifest in
//! that language.
//!
//! A signed-in applicant's choice is also kept on the account, so emails, texts and push alerts
//! arrive in it and the next sign-in on another phone starts in it.

use app::i18n::{LANGUAGE_COOKIE, Locale};
use axum::{
    extract::{Query, State, rejection::FormRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use server::http::who_is_asking::SignedInApplicant;

use crate::app_state::{AppState, locale_of};

#[derive(serde::Deserialize)]
pub struct LanguageChoice {
    lang: String,
    return_to: Option<String>,
}

/// Remembers the choice in a cookie (and on the applicant's account) and goes back to the page.
pub async fn choose_language(
    headers: HeaderMap,
    State(state): State<AppState>,
    signed_in: Option<SignedInApplicant>,
    form: Result<axum::Form<LanguageChoice>, FormRejection>,
) -> Response {
    let Some((locale, return_to)) = form
        .ok()
        .and_then(|axum::Form(choice)| Some((Locale::from_code(&choice.lang)?, choice.return_to)))
    else {
        let message = locale_of(&headers).messages().invalid_language.clone();
        return (StatusCode::BAD_REQUEST, message).into_response();
    };
    if let Some(SignedInApplicant(signed_in)) = signed_in {
        let saved = state
            .services
            .storage
            .set_portal_language(signed_in.subject_id, locale.code())
            .await;
        // The page still switches; only later messages keep the previous language.
        if let Err(error) = saved {
            tracing::error!(%error, "language could not be kept on the account");
        }
    }
    let mut response = Redirect::to(&safe_return_path(return_to.as_deref())).into_response();
    if let Ok(value) = language_cookie(locale, state.services.config.serves_https()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// At sign-in. On a personal phone, a language picked on this browser before signing in is
/// kept on the account; with none, the account's language becomes this browser's (the returned
/// cookie). A shared phone's language cookie may be the previous person's: it is never kept on
/// the account, and the account's language lasts only as long as the browser session (and is
/// cleared at sign-out), so it tells the next person nothing.
pub(crate) async fn language_at_sign_in(
    services: &server::Services,
    applicant_id: uuid::Uuid,
    headers: &HeaderMap,
    shared: bool,
) -> Option<HeaderValue> {
    let chosen = headers
        .get(header::COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(app::i18n::language_cookie);
    let storage = services.storage.as_ref();
    if let Some(locale) = chosen.filter(|_| !shared) {
        if let Err(error) = storage
            .set_portal_language(applicant_id, locale.code())
            .await
        {
            tracing::error!(%error, "language could not be kept on the account");
        }
        return None;
    }
    let applicant = storage.find_applicant(applicant_id).await.ok().flatten()?;
    let locale = Locale::from_code(applicant.message_language())?;
    let https = services.config.serves_https();
    let cookie = if shared {
        session_language_cookie(locale, https)
    } else {
        language_cookie(locale, https)
    };
    cookie.ok()
}

fn session_language_cookie(
    locale: Locale,
    https: bool,
) -> Result<HeaderValue, header::InvalidHeaderValue> {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{LANGUAGE_COOKIE}={}; Path=/; SameSite=Lax; HttpOnly{secure}",
        locale.code()
    ))
}

/// Clears the language cookie (at the sign-out of a shared phone).
pub(crate) fn clear_language_cookie(https: bool) -> HeaderValue {
    HeaderValue::from_static(if https {
        "lang=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly; Secure"
    } else {
        "lang=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"
    })
}

pub(crate) fn language_cookie(
    locale: Locale,
    https: bool,
) -> Result<HeaderValue, header::InvalidHeaderValue> {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        locale.code()
    ))
}

#[derive(serde::Deserialize)]
pub struct ManifestLanguage {
    lang: Option<String>,
}

/// The web app manifest in the page's language (`?lang=`, as the page links it: browsers fetch
/// manifests without cookies), so the installed app is named in the applicant's language and
/// script, in their direction.
pub async fn web_manifest(Query(asked): Query<ManifestLanguage>, headers: HeaderMap) -> Response {
    let locale = asked
        .lang
        .as_deref()
        .and_then(Locale::from_code)
        .unwrap_or_else(|| locale_of(&headers));
    let m = locale.messages();
    let manifest = serde_json::json!({
        "name": m.site_name,
        "short_name": m.site_name,
        "description": m.landing_intro,
        "lang": locale.code(),
        "dir": locale.direction(),
        "id": "/",
        "start_url": "/account",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f3f9b",
        "icons": [
            { "src": "/favicon.svg", "sizes": "any", "type": "image/svg+xml" },
            { "src": "/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any maskable" },
            { "src": "/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any maskable" }
        ]
    });
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::VARY, "Accept-Language, Cookie"),
        ],
        manifest.to_string(),
    )
        .into_response()
}

/// Only paths on this site: never `//other.example` or `https://...` (open redirect). The query
/// is kept (the code page's `?shared=1`, a staff page's `?form=closure`), with no `/` in it.
pub(crate) fn safe_return_path(requested: Option<&str>) -> String {
    let Some(requested) = requested else {
        return "/".to_owned();
    };
    let (path, query) = match requested.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (requested, None),
    };
    let path_is_safe = path.starts_with('/')
        && !path.starts_with("//")
        // Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"), so only
        // plain path characters pass.
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c));
    let query_is_safe = query.is_none_or(|query| {
        query
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "=&-_.~%+".contains(c))
    });
    if path_is_safe && query_is_safe {
        requested.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn the_cleared_language_cookie_is_the_language_cookie() {
        for https in [false, true] {
            let cleared = super::clear_language_cookie(https);
            let cleared = cleared.to_str().unwrap();
            assert!(cleared.starts_with(&format!("{}=;", app::i18n::LANGUAGE_COOKIE)));
            assert!(cleared.contains("Max-Age=0"));
        }
    }

    #[test]
    fn return_paths_stay_on_the_site() {
        assert_eq!(safe_return_path(Some("/sign-in")), "/sign-in");
        // A shared phone's code page stays shared through a change of language.
        assert_eq!(
            safe_return_path(Some("/sign-in/code?via=sms&shared=1")),
            "/sign-in/code?via=sms&shared=1"
        );
        assert_eq!(
            safe_return_path(Some("/staff/at-risk?kind=decision&days=3")),
            "/staff/at-risk?kind=decision&days=3"
        );
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/a?next=//evil",
            "/a?next=https://evil.example",
            "/a?x=\n",
            "evil",
            "",
        ] {
            assert_eq!(safe_return_path(Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
