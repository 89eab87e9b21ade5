//! What every server function asks first: who is signed in for this very request (the session
//! middleware put it in the request), and in which language to answer.

use leptos::prelude::*;
use server::{sessions::SignedIn, storage::SubjectKind};

use crate::i18n::Locale;

/// The session's subject if it is of `kind`, without touching the answer's status: for pages
/// that anyone may read and that show more to the signed-in.
pub fn signed_in_if_any(kind: SubjectKind) -> Option<SignedIn> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
        .filter(|signed_in| signed_in.subject_kind == kind)
}

/// The session's subject if it is of `kind`; otherwise a 401 and an error.
pub fn signed_in(kind: SubjectKind) -> Result<SignedIn, ServerFnError> {
    signed_in_if_any(kind).ok_or_else(|| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::UNAUTHORIZED);
        }
        ServerFnError::new("not signed in")
    })
}

fn answer_with(status: http::StatusCode, message: &str) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::new(message)
}

/// A storage failure: logged here, reported to the page as "unavailable" (503, not a 500).
pub fn unavailable(error: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(%error, "a page's data could not be read");
    answer_with(http::StatusCode::SERVICE_UNAVAILABLE, "unavailable")
}

/// The session names someone who no longer exists or may no longer sign in: 401.
pub fn not_signed_in() -> ServerFnError {
    answer_with(http::StatusCode::UNAUTHORIZED, "not signed in")
}

/// Signed in, but without the right to this: 403.
pub fn forbidden() -> ServerFnError {
    answer_with(http::StatusCode::FORBIDDEN, "forbidden")
}

pub fn locale() -> Locale {
    use_context::<Locale>().unwrap_or(Locale::DEFAULT)
}
