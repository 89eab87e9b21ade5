//! Applicant sign-in, in two plain forms that work without JavaScript: number and password
//! (`POST /sign-in`), then, on a device not remembered, the code sent by email
//! (`POST /sign-in/code`). The server answers with a redirect: onward, or back with `?error=`.

use leptos::prelude::*;
use refusal::Code;

use crate::i18n::refusal_text;

use super::form_feedback::{
    ErrorSummary, FormError, FormPageTitle, SuccessNotice, field_state, query_error, query_value,
};
use crate::{
    CODE_LIFETIME_MINUTES, current_locale,
    i18n::{Messages, fill},
};

#[component]
pub fn SignIn() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| Some(FormError::page(&refusal_text(code, m))));
    let notice = match (query_value("signed_out"), query_value("reset")) {
        (_, Some(_)) => Some(m.reset_done.as_str()),
        (Some(_), _) => Some(m.sign_in_signed_out.as_str()),
        _ => None,
    }
    .filter(|_| error.is_none());
    view! {
        <FormPageTitle page=m.sign_in_title.as_str() has_error=error.is_some()/>
        <h1>{m.sign_in_title.as_str()}</h1>
        {notice.map(|text| view! { <SuccessNotice text=text/> })}
        <ErrorSummary title=m.sign_in_error_summary.as_str() error=error/>
        <p class="lead">{m.sign_in_intro.as_str()}</p>
        <form class="stacked-form" method="post" action="/sign-in" novalidate>
            <div class="field">
                <label for="foreigner_number">{m.identifier_label.as_str()}</label>
                <p class="hint" id="number-hint">{m.identifier_hint.as_str()}</p>
                <input id="foreigner_number" name="foreigner_number" type="text" autocomplete="username" spellcheck="false" required aria-describedby="number-hint"/>
            </div>
            <div class="field">
                <label for="password">{m.sign_in_password_label.as_str()}</label>
                <input id="password" name="password" type="password" autocomplete="current-password"
                    required/>
            </div>
            <SharedDeviceField/>
            <button class="button primary" type="submit">{m.sign_in_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/sign-in/reset">{m.sign_in_forgot.as_str()}</a></p>
        <p><a href="/activate">{m.sign_in_help.as_str()}</a></p>
    }
}

fn explain_code_error(code: Code, m: &'static Messages) -> Option<FormError> {
    Some(match code {
        Code::Missing => FormError::field("code", &m.form_error_missing),
        Code::CodeWrong => FormError::field("code", &m.code_error_wrong),
        _ => FormError::page(&refusal_text(code, m)),
    })
}

/// The six digits, as typed on a phone: numeric keyboard, and the code offered from the SMS or
/// email by the operating system where it can.
#[component]
pub fn CodeInput(error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let field = field_state(&error, "code", "code-hint");
    view! {
        <div class="field">
            <label for="code">{m.code_label.as_str()}</label>
            <p class="hint" id="code-hint">{m.code_hint.as_str()}</p>
            {field.error_view()}
            <input id="code" name="code" class="code-input" type="text" inputmode="numeric"
                autocomplete="one-time-code" maxlength="8" required
                aria-describedby=field.described_by aria-invalid=field.invalid/>
        </div>
    }
}

#[component]
pub fn SignInCode() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain_code_error(code, m));
    // Said at the first step; a shared phone is never remembered.
    let shared = query_value("shared").as_deref() == Some("1");
    let by_sms = query_value("via").as_deref() == Some("sms");
    let intro = if by_sms {
        &m.code_sign_in_intro_sms
    } else {
        &m.code_sign_in_intro
    };
    let intro = fill(intro, &[("minutes", CODE_LIFETIME_MINUTES)]);
    view! {
        <FormPageTitle page=m.code_title.as_str() has_error=error.is_some()/>
        <h1>{m.code_title.as_str()}</h1>
        <ErrorSummary title=m.code_error_summary.as_str() error=error.clone()/>
        <p class="lead">{intro}</p>
        <form class="stacked-form" method="post" action="/sign-in/code" novalidate>
            <CodeInput error=error/>
            {by_sms.then(|| view! { <input type="hidden" name="via" value="sms"/> })}
            {shared.then(|| view! { <input type="hidden" name="shared_device" value="on"/> })}
            {(!shared).then(|| view! {
                <div class="check-field">
                    <input id="remember_device" name="remember_device" type="checkbox" value="on"
                        aria-describedby="remember-hint"/>
                    <label for="remember_device">{m.code_remember_label.as_str()}</label>
                    <p class="hint" id="remember-hint">{m.code_remember_hint.as_str()}</p>
                </div>
            })}
            <button class="button primary" type="submit">{m.code_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/sign-in">{m.sign_in_title.as_str()}</a></p>
    }
}

/// "Other people use this phone": a shorter session, and nothing of the applicant kept on it
/// (no remembered or known device). Asked at sign-in and at activation alike.
#[component]
pub(super) fn SharedDeviceField() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <div class="check-field">
            <input id="shared_device" name="shared_device" type="checkbox" value="on"
                aria-describedby="shared-hint"/>
            <label for="shared_device">{m.sign_in_shared_label.as_str()}</label>
            <p class="hint" id="shared-hint">{m.sign_in_shared_hint.as_str()}</p>
        </div>
    }
}
