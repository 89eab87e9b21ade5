//! "Confirm it is you": the password again, before a change of where codes and alerts go
//! (`POST /account/confirm-password`). An open session on a borrowed phone is not enough.

use leptos::prelude::*;
use refusal::Code;

use crate::i18n::refusal_text;

use super::form_feedback::{ErrorSummary, FormError, FormPageTitle, field_state, query_error};
use crate::{current_locale, i18n::Messages};

fn explain(code: Code, m: &'static Messages) -> Option<FormError> {
    Some(match code {
        Code::Missing => FormError::field("password", &m.form_error_missing),
        Code::Refused => FormError::field("password", &m.step_up_error_refused),
        _ => FormError::page(&refusal_text(code, m)),
    })
}

#[component]
pub fn ConfirmPassword() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let password = field_state(&error, "password", "password-hint");
    view! {
        <FormPageTitle page=m.step_up_title.as_str() has_error=error.is_some()/>
        <h1>{m.step_up_title.as_str()}</h1>
        <ErrorSummary title=m.step_up_error_summary.as_str() error=error.clone()/>
        <p class="lead" id="password-hint">{m.step_up_intro.as_str()}</p>
        <form class="stacked-form" method="post" action="/account/confirm-password" novalidate>
            <div class="field">
                <label for="password">{m.sign_in_password_label.as_str()}</label>
                {password.error_view()}
                <input id="password" name="password" type="password" autocomplete="current-password"
                    required aria-describedby=password.described_by aria-invalid=password.invalid/>
            </div>
            <button class="button primary" type="submit">{m.step_up_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/account/contact">{m.step_up_cancel.as_str()}</a></p>
    }
}

fn explain_staff(code: Code, m: &'static Messages) -> Option<FormError> {
    Some(match code {
        Code::Missing => FormError::field("code", &m.form_error_missing),
        Code::Refused => FormError::field("code", &m.staff_step_up_error_refused),
        _ => FormError::page(&refusal_text(code, m)),
    })
}

/// The staff side's "confirm it is you": a fresh code from the authenticator app, before
/// inviting, changing roles, disabling members or managing API keys (`POST /staff/confirm`).
#[component]
pub fn StaffConfirm() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain_staff(code, m));
    let code = field_state(&error, "code", "code-hint");
    view! {
        <FormPageTitle page=m.step_up_title.as_str() has_error=error.is_some()/>
        <h1>{m.step_up_title.as_str()}</h1>
        <ErrorSummary title=m.code_error_summary.as_str() error=error.clone()/>
        <p class="lead">{m.staff_step_up_intro.as_str()}</p>
        <form class="stacked-form" method="post" action="/staff/confirm" novalidate>
            <div class="field">
                <label for="code">{m.staff_totp_label.as_str()}</label>
                <p class="hint" id="code-hint">{m.staff_totp_hint.as_str()}</p>
                {code.error_view()}
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    pattern="[0-9]*" required aria-describedby=code.described_by aria-invalid=code.invalid/>
            </div>
            <button class="button primary" type="submit">{m.step_up_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/staff">{m.step_up_cancel.as_str()}</a></p>
    }
}
