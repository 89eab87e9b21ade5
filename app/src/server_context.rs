//! What every server function asks first: who is asking, with the same extractors as the form
//! handlers (`server::http::who_is_asking`), and in which language to answer. A refusal sets
//! the answer's status (401, 403, 503) and names its `Code`.
//!
//! Everything is read from the reactive context once, before the first `.await`: a server
//! function rendered on the server may resume outside its owner, where `use_context` finds
//! nothing.

use axum::extract::FromRequestParts;
use leptos::prelude::*;
use refusal::Code;
use server::{
    Services,
    accounts::sessions::SignedIn,
    http::{PageRefusal, who_is_asking::Side},
    storage::SubjectKind,
};

use crate::i18n::{Locale, Messages};

/// This server function's call: the services, the request, the answer's options and the
/// language, taken from the context at once.
pub struct Call {
    pub services: Services,
    parts: Option<http::request::Parts>,
    response: Option<leptos_axum::ResponseOptions>,
    locale: Locale,
}

impl Call {
    pub fn here() -> Self {
        Self {
            services: expect_context::<Services>(),
            parts: use_context::<http::request::Parts>(),
            response: use_context::<leptos_axum::ResponseOptions>(),
            locale: use_context::<Locale>().unwrap_or(Locale::DEFAULT),
        }
    }

    /// Who is asking, as `T` (`SignedInApplicant`, `SignedInStaff<may::…>`…).
    pub async fn asking<T>(&self) -> Result<T, ServerFnError>
    where
        T: FromRequestParts<Services, Rejection = PageRefusal>,
    {
        let Some(mut parts) = self.parts.clone() else {
            return Err(self.refused(PageRefusal::new("/", Code::Expired)));
        };
        T::from_request_parts(&mut parts, &self.services)
            .await
            .map_err(|refusal| self.refused(refusal))
    }

    /// A refusal, as a server function answers it: its status, and its code as the error.
    pub fn refused(&self, refusal: PageRefusal) -> ServerFnError {
        self.set_status(refusal.status());
        ServerFnError::new(refusal.code().unwrap_or(Code::Expired).as_str())
    }

    /// A storage failure: logged once (`PageRefusal::unavailable`), reported as 503.
    pub fn unavailable(&self, error: impl std::fmt::Display) -> ServerFnError {
        let path = self
            .parts
            .as_ref()
            .map(|parts| parts.uri.path().to_owned())
            .unwrap_or_default();
        self.refused(PageRefusal::unavailable(path, &error))
    }

    /// The session names someone who no longer exists or may no longer sign in: 401.
    pub fn not_signed_in(&self) -> ServerFnError {
        let sign_in = Side::Applicant.sign_in_page();
        self.refused(PageRefusal::new(sign_in, Code::Expired))
    }

    /// The request's own status for a refusal that is not about who is asking (404…).
    pub fn set_status(&self, status: http::StatusCode) {
        if let Some(response) = &self.response {
            response.set_status(status);
        }
    }

    pub fn request(&self) -> Option<&http::request::Parts> {
        self.parts.as_ref()
    }

    pub fn response(&self) -> Option<&leptos_axum::ResponseOptions> {
        self.response.as_ref()
    }

    pub fn messages(&self) -> &'static Messages {
        self.locale.messages()
    }
}

/// The session's subject if it is of `kind`, without touching the answer's status: for pages
/// that anyone may read and that show more to the signed-in.
pub fn signed_in_if_any(kind: SubjectKind) -> Option<SignedIn> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
        .filter(|signed_in| signed_in.subject_kind == kind)
}
