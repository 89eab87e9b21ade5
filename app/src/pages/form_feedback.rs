//! How a form shows what went wrong once the server has sent it back: the `error` query
//! parameter names the error; the page explains it in a summary at the top (announced, and
//! in the page title) and again next to the field it concerns.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use refusal::Code;

use super::PageTitle;
use crate::{current_locale, i18n::fill};

/// An error to show: its message, and the field it belongs to (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct FormError {
    pub field: Option<&'static str>,
    pub message: String,
}

impl FormError {
    pub fn page(message: &str) -> FormError {
        FormError {
            field: None,
            message: message.to_owned(),
        }
    }

    pub fn field(field: &'static str, message: &str) -> FormError {
        FormError {
            field: Some(field),
            message: message.to_owned(),
        }
    }
}

/// A query parameter, read once: these pages are re-rendered by the server on every submit.
pub fn query_value(name: &'static str) -> Option<String> {
    use_query_map().with_untracked(|query| query.get(name))
}

/// The error named by `?error=`, explained by the page; a name that is no `Code` is ignored.
pub fn query_error(explain: impl Fn(Code) -> Option<FormError>) -> Option<FormError> {
    query_value("error")
        .and_then(|code| Code::parse(&code))
        .and_then(explain)
}

/// The form this page answers, refused (the server renders the page again in answer to the
/// POST: nothing typed goes into an address), as (where it was posted, a field's value).
/// Secrets are never kept. The browser build renders no page (islands): it answers no form.
fn typed_form() -> Option<(String, impl Fn(&str) -> Option<String>)> {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>()?;
        let form = parts.extensions.get::<server::http::TypedForm>()?.clone();
        let posted_to = form.posted_to().to_owned();
        Some((posted_to, move |field: &str| {
            form.get(field).map(str::to_owned)
        }))
    }
    #[cfg(not(feature = "ssr"))]
    {
        None::<(String, fn(&str) -> Option<String>)>
    }
}

/// What was typed in `field`, when this page answers a refused form.
pub fn typed(field: &str) -> Option<String> {
    let (_, value) = typed_form()?;
    value(field)
}

/// `typed(field)`, if the form sent back is `form` (the page's `?form=`): several forms of a
/// page share field names.
pub fn typed_in(form: &str, field: &str) -> Option<String> {
    let sent_back = query_value("form").unwrap_or_default();
    (sent_back == form).then(|| typed(field)).flatten()
}

/// `typed(field)`, if the form was posted to `path`: a page a refusal sends back to from
/// elsewhere (sign-in, when a session ended) shows nothing typed for another form.
pub fn typed_from(path: &str, field: &str) -> Option<String> {
    let (posted_to, value) = typed_form()?;
    (posted_to == path).then(|| value(field)).flatten()
}

/// Whether this page answers a refused `form` (a checkbox left unticked sends nothing).
pub fn sent_back(form: &str) -> bool {
    typed_form().is_some() && query_value("form").unwrap_or_default() == form
}

/// What an input needs to announce its hint and its error.
pub struct FieldState {
    pub error: Option<String>,
    pub error_id: String,
    pub described_by: String,
    pub invalid: Option<&'static str>,
}

pub fn field_state(error: &Option<FormError>, field: &'static str, hint_id: &str) -> FieldState {
    let message = error
        .as_ref()
        .filter(|error| error.field == Some(field))
        .map(|error| error.message.clone());
    let error_id = format!("{field}-error");
    let described_by = match &message {
        Some(_) => format!("{hint_id} {error_id}"),
        None => hint_id.to_owned(),
    };
    FieldState {
        invalid: message.is_some().then_some("true"),
        error: message,
        error_id,
        described_by,
    }
}

/// The page title, prefixed with "Error:" when the form came back with one.
#[component]
pub fn FormPageTitle(#[prop(into)] page: String, has_error: bool) -> impl IntoView {
    let m = current_locale().messages();
    let text = if has_error {
        fill(&m.page_with_error, &[("page", &page)])
    } else {
        page
    };
    view! { <PageTitle page=text/> }
}

/// The summary at the top of the form, announced by screen readers as soon as the page loads.
#[component]
pub fn ErrorSummary(#[prop(into)] title: String, error: Option<FormError>) -> impl IntoView {
    error.map(|error| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
                <h2 id="error-summary-title">{title}</h2>
                // A link to the field lets a keyboard or screen reader user go straight to it.
                <p>{match error.field {
                    Some(field) => view! { <a href=format!("#{field}")>{error.message}</a> }.into_any(),
                    None => error.message.into_any(),
                }}</p>
            </div>
        }
    })
}

impl FieldState {
    /// The error under the field's label, referenced by the input's `aria-describedby`.
    pub fn error_view(&self) -> impl IntoView + use<> {
        let id = self.error_id.clone();
        self.error
            .clone()
            .map(|message| view! { <p class="field-error" id=id>{message}</p> })
    }
}

/// A confirmation at the top of a page (`role=status`: announced without interrupting).
#[component]
pub fn SuccessNotice(#[prop(into)] text: String) -> impl IntoView {
    view! { <p class="success-notice" role="status">{text}</p> }
}
