//! A page's or form's refusal: back to a page, with the reason as a typed `Code` in `?error=`
//! (the page explains it), or straight to another page (sign in, confirm it is you). Handlers
//! return `Result<Response, PageRefusal>` and pass the domain's errors on with `?`; failures of
//! the machinery are logged here, once, and never reach the person as detail.
//!
//! A browser that sent a staff form gets the page itself back instead of the redirect, with
//! what was typed still in the fields (`src/refused_forms.rs`): the refusal leaves `SentBack`
//! on its response for that, and pages read the fields from `TypedForm`.

use std::borrow::Cow;

use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use refusal::{Code, Refused};

#[derive(Clone, PartialEq, Eq)]
pub struct PageRefusal {
    page: Cow<'static, str>,
    code: Option<Code>,
    typed: Vec<(String, String)>,
}

// What was typed (names, birth dates, emails) stays out of logs: field names only.
impl std::fmt::Debug for PageRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageRefusal")
            .field("page", &self.page.split('?').next())
            .field("code", &self.code)
            .field("typed", &field_names(&self.typed))
            .finish()
    }
}

fn field_names(fields: &[(String, String)]) -> Vec<&str> {
    fields.iter().map(|(name, _)| name.as_str()).collect()
}

/// Left on a refusal's response: the page to show again (with `?error=`), and fields the
/// handler read itself (a multipart form's text fields, which no middleware can read back).
#[derive(Clone)]
pub struct SentBack {
    pub page: String,
    pub status: StatusCode,
    pub typed: Vec<(String, String)>,
}

impl std::fmt::Debug for SentBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentBack")
            .field("status", &self.status)
            .field("typed", &field_names(&self.typed))
            .finish()
    }
}

/// What a refused form said, for the page that shows it again, and where it was posted.
/// Secrets never come back: a password, a code or a link's token is typed again. (An
/// enrolment's app secret does: it is on the page already, and the app has scanned it.)
#[derive(Clone, Default)]
pub struct TypedForm {
    posted_to: String,
    fields: Vec<(String, String)>,
}

impl std::fmt::Debug for TypedForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedForm")
            .field("posted_to", &self.posted_to)
            .field("fields", &field_names(&self.fields))
            .finish()
    }
}

impl TypedForm {
    const NEVER_SHOWN_AGAIN: [&'static str; 3] = ["password", "code", "token"];

    pub fn new(posted_to: String, fields: impl IntoIterator<Item = (String, String)>) -> TypedForm {
        let mut form = TypedForm {
            posted_to,
            fields: Vec::new(),
        };
        form.extend(fields);
        form
    }

    /// The path the form was posted to (`/staff/sign-in`...).
    pub fn posted_to(&self) -> &str {
        &self.posted_to
    }

    /// The value typed in the field `name` (the first, if the form sent several).
    pub fn get(&self, name: &str) -> Option<&str> {
        (self.fields.iter())
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn extend(&mut self, fields: impl IntoIterator<Item = (String, String)>) {
        self.fields.extend(
            fields
                .into_iter()
                .filter(|(name, _)| !Self::NEVER_SHOWN_AGAIN.contains(&name.as_str())),
        );
    }
}

impl PageRefusal {
    /// Back to `page` (which may carry a query already), naming `code`.
    pub fn new(page: impl Into<Cow<'static, str>>, code: Code) -> PageRefusal {
        PageRefusal {
            page: page.into(),
            code: Some(code),
            typed: Vec::new(),
        }
    }

    /// Keeps fields the handler read itself, for the page shown again.
    pub fn keeping(mut self, typed: Vec<(String, String)>) -> PageRefusal {
        self.typed = typed;
        self
    }

    /// Back to `page` because of a domain error; a failure of the portal itself is logged.
    pub fn because(page: impl Into<Cow<'static, str>>, error: &(impl Refused + ?Sized)) -> Self {
        let page = page.into();
        let code = error.code();
        if code == Code::Unavailable {
            tracing::error!(%error, page = %page.split('?').next().unwrap_or_default(), "request failed");
        }
        PageRefusal::new(page, code)
    }

    /// A failure of the portal that is not a domain error (printing, sending): logged here.
    pub fn unavailable(
        page: impl Into<Cow<'static, str>>,
        error: &dyn std::fmt::Display,
    ) -> PageRefusal {
        let page = page.into();
        tracing::error!(%error, page = %page.split('?').next().unwrap_or_default(), "request failed");
        PageRefusal::new(page, Code::Unavailable)
    }

    /// Not a failure: the request needs another page first (such as "confirm it is you").
    pub fn go_to(page: &'static str) -> PageRefusal {
        PageRefusal {
            page: Cow::Borrowed(page),
            code: None,
            typed: Vec::new(),
        }
    }

    pub fn code(&self) -> Option<Code> {
        self.code
    }

    /// The status for a caller that reads statuses rather than follows redirects (a server
    /// function, a page's script).
    pub fn status(&self) -> StatusCode {
        match self.code {
            None | Some(Code::Expired) => StatusCode::UNAUTHORIZED,
            Some(Code::Forbidden) => StatusCode::FORBIDDEN,
            Some(Code::Unavailable) => StatusCode::SERVICE_UNAVAILABLE,
            Some(Code::TooSoon | Code::Locked) => StatusCode::TOO_MANY_REQUESTS,
            Some(Code::NotFound) => StatusCode::NOT_FOUND,
            Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// Where the browser is sent.
    pub fn location(&self) -> String {
        match self.code {
            None => self.page.clone().into_owned(),
            Some(code) => {
                let separator = if self.page.contains('?') { '&' } else { '?' };
                format!("{}{separator}error={}", self.page, code.as_str())
            }
        }
    }
}

impl IntoResponse for PageRefusal {
    fn into_response(self) -> Response {
        let location = self.location();
        let status = self.status();
        let mut response = Redirect::to(&location).into_response();
        if self.code.is_some() {
            response.extensions_mut().insert(SentBack {
                page: location,
                status,
                typed: self.typed,
            });
        }
        response
    }
}

/// The form's fields if they could be read and `filled` says so; otherwise back to `page`
/// naming `code` (usually `Code::Missing`).
pub fn filled_form<T>(
    form: Result<axum::Form<T>, axum::extract::rejection::FormRejection>,
    filled: impl FnOnce(&T) -> bool,
    page: impl Into<Cow<'static, str>>,
    code: Code,
) -> Result<T, PageRefusal> {
    match form {
        Ok(axum::Form(form)) if filled(&form) => Ok(form),
        _ => Err(PageRefusal::new(page, code)),
    }
}

/// `result.or_back_to(page)?` in a handler: the domain's error, sent back to the form.
pub trait OrBackTo<T> {
    fn or_back_to(self, page: impl Into<Cow<'static, str>>) -> Result<T, PageRefusal>;
}

impl<T, E: Refused> OrBackTo<T> for Result<T, E> {
    fn or_back_to(self, page: impl Into<Cow<'static, str>>) -> Result<T, PageRefusal> {
        self.map_err(|error| PageRefusal::because(page, &error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Broken;
    impl std::fmt::Display for Broken {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("disk on fire")
        }
    }
    impl Refused for Broken {
        fn code(&self) -> Code {
            Code::Unavailable
        }
    }

    #[test]
    fn secrets_are_never_kept_and_nothing_typed_reaches_a_log() {
        let typed = TypedForm::new(
            "/staff/sign-in".into(),
            [
                ("email".to_owned(), "agent@office.example".to_owned()),
                ("password".to_owned(), "hunter2 hunter2".to_owned()),
                ("code".to_owned(), "123456".to_owned()),
            ],
        );
        assert_eq!(typed.get("email"), Some("agent@office.example"));
        assert_eq!((typed.get("password"), typed.get("code")), (None, None));
        assert!(!format!("{typed:?}").contains("agent@office.example"));
        let refusal = PageRefusal::new("/staff?form=register", Code::Birth)
            .keeping(vec![("given_names".into(), "Amina".into())]);
        assert!(!format!("{refusal:?}").contains("Amina"));
    }

    #[test]
    fn the_code_joins_the_page_s_own_query() {
        assert_eq!(
            PageRefusal::new("/sign-in", Code::TooSoon).location(),
            "/sign-in?error=too_soon"
        );
        assert_eq!(
            PageRefusal::new("/staff?form=invite", Code::StaffExists).location(),
            "/staff?form=invite&error=staff_exists"
        );
        assert_eq!(
            PageRefusal::go_to("/staff/confirm").location(),
            "/staff/confirm"
        );
    }

    #[test]
    fn a_domain_error_goes_back_with_its_code_and_a_see_other() {
        let refusal = Err::<(), _>(Broken)
            .or_back_to("/account/contact")
            .unwrap_err();
        assert_eq!(refusal.code(), Some(Code::Unavailable));
        assert_eq!(refusal.status(), StatusCode::SERVICE_UNAVAILABLE);
        let response = refusal.into_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[http::header::LOCATION],
            "/account/contact?error=unavailable"
        );
    }
}
