//! "Forgotten password", in two plain forms: the number (`POST /sign-in/reset`), then the code
//! received by email with the new password (`POST /sign-in/reset/code`).

use leptos::prelude::*;
use refusal::Code;

use crate::i18n::refusal_text;

use super::form_feedback::{ErrorSummary, FormError, FormPageTitle, field_state, query_error};
use super::sign_in::CodeInput;
use crate::{
    CODE_LIFETIME_MINUTES, current_locale,
    i18n::{Messages, fill},
};

fn explain(code: Code, m: &'static Messages) -> Option<FormError> {
    let password = |message: &str| FormError::field("password", message);
    Some(match code {
        Code::CodeWrong => FormError::field("code", &m.code_error_wrong),
        Code::Expired => FormError::page(&m.code_error_expired),
        Code::TooShort | Code::TooLong | Code::Common | Code::Personal => {
            password(&refusal_text(code, m))
        }
        _ => FormError::page(&refusal_text(code, m)),
    })
}

#[component]
pub fn PasswordReset() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    view! {
        <FormPageTitle page=m.reset_title.as_str() has_error=error.is_some()/>
        <h1>{m.reset_title.as_str()}</h1>
        <ErrorSummary title=m.reset_error_summary.as_str() error=error/>
        <p class="lead">{m.reset_intro.as_str()}</p>
        <form class="stacked-form" method="post" action="/sign-in/reset" novalidate>
            <div class="field">
                <label for="foreigner_number">{m.identifier_label.as_str()}</label>
                <p class="hint" id="number-hint">{m.identifier_hint.as_str()}</p>
                <input id="foreigner_number" name="foreigner_number" type="text" autocomplete="username" spellcheck="false" required aria-describedby="number-hint"/>
            </div>
            <button class="button primary" type="submit">{m.reset_submit.as_str()}</button>
        </form>
        <p class="aside">{m.reset_no_email.as_str()}</p>
    }
}

#[component]
pub fn PasswordResetCode() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let password = field_state(&error, "password", "password-hint");
    let intro = fill(&m.reset_code_intro, &[("minutes", CODE_LIFETIME_MINUTES)]);
    view! {
        <FormPageTitle page=m.reset_title.as_str() has_error=error.is_some()/>
        <h1>{m.reset_title.as_str()}</h1>
        <ErrorSummary title=m.reset_error_summary.as_str() error=error.clone()/>
        <p class="lead">{intro}</p>
        <form class="stacked-form" method="post" action="/sign-in/reset/code" novalidate>
            <CodeInput error=error/>
            <div class="field">
                <label for="password">{m.activate_password_label.as_str()}</label>
                <p class="hint" id="password-hint">
                    {fill(&m.activate_password_hint, &[("min", "8")])}
                </p>
                {password.error_view()}
                <input id="password" name="password" type="password" autocomplete="new-password"
                    required aria-describedby=password.described_by aria-invalid=password.invalid/>
            </div>
            <button class="button primary" type="submit">{m.reset_code_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/sign-in/reset">{m.reset_submit.as_str()}</a></p>
    }
}
