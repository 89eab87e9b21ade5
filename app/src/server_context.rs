//! What every server function asks first: who is signed in for this very request (the session
//! middleware put it in the request), and in which language to answer.

use leptos::prelude::*;
use server::{sessions::SignedIn, storage::SubjectKind};

use crate::i18n::Locale;

/// The session's subject if it is of `kind`; otherwise a 401 and an error.
pub fn signed_in(kind: SubjectKind) -> Result<SignedIn, ServerFnError> {
    let signed_in = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
        .filter(|signed_in| signed_in.subject_kind == kind);
    signed_in.ok_or_else(|| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::UNAUTHORIZED);
        }
        ServerFnError::new("not signed in")
    })
}

/// A storage failure: logged here, reported to the page as "unavailable".
pub fn unavailable(error: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(%error, "a page's data could not be read");
    ServerFnError::new("unavailable")
}

pub fn locale() -> Locale {
    use_context::<Locale>().unwrap_or(Locale::DEFAULT)
}
