//! Adding or changing the applicant's email address: the address is kept only once the code
//! sent to it has been typed back (`POST /account/contact`, then `/account/contact/confirm`).

use leptos::prelude::*;

use super::form_feedback::{
    ErrorSummary, FormError, FormPageTitle, SuccessNotice, field_state, query_error, query_value,
};
use super::sign_in::CodeInput;
use crate::{
    CODE_LIFETIME_MINUTES, current_locale,
    i18n::{Messages, fill},
};

fn explain(code: &str, m: &'static Messages) -> Option<FormError> {
    Some(match code {
        "email" | "missing" => FormError::field("email", &m.contact_error_email),
        "code_wrong" => FormError::field("code", &m.code_error_wrong),
        "code_expired" => FormError::page(&m.code_error_expired),
        "too_soon" => FormError::page(&m.error_too_soon),
        "locked" => FormError::page(&m.error_locked),
        "unavailable" => FormError::page(&m.service_unavailable),
        _ => return None,
    })
}

#[component]
pub fn Contact() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let just_activated = query_value("activated").is_some() && error.is_none();
    let email = field_state(&error, "email", "email-hint");
    view! {
        <FormPageTitle page=m.contact_title.as_str() has_error=error.is_some()/>
        {just_activated.then(|| view! {
            <SuccessNotice text=m.activate_done_title.as_str()/>
        })}
        <h1>{m.contact_title.as_str()}</h1>
        <ErrorSummary title=m.contact_error_summary.as_str() error=error.clone()/>
        <p class="lead">
            {if just_activated { m.contact_activated.as_str() } else { m.contact_intro.as_str() }}
        </p>
        {just_activated.then(|| view! { <p>{m.contact_intro.as_str()}</p> })}
        <form class="stacked-form" method="post" action="/account/contact" novalidate>
            <div class="field">
                <label for="email">{m.contact_email_label.as_str()}</label>
                <p class="hint" id="email-hint">{m.contact_email_hint.as_str()}</p>
                {email.error_view()}
                <input id="email" name="email" type="email" inputmode="email" autocomplete="email"
                    spellcheck="false" required aria-describedby=email.described_by
                    aria-invalid=email.invalid/>
            </div>
            <button class="button primary" type="submit">{m.contact_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/account">{m.contact_later.as_str()}</a></p>
    }
}

#[component]
pub fn ContactConfirm() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    // Which code was sent: not a secret (the digits are), and checked against the session.
    let code_id = query_value("code").unwrap_or_default();
    let intro = fill(
        &m.contact_confirm_intro,
        &[("minutes", CODE_LIFETIME_MINUTES)],
    );
    view! {
        <FormPageTitle page=m.contact_confirm_title.as_str() has_error=error.is_some()/>
        <h1>{m.contact_confirm_title.as_str()}</h1>
        <ErrorSummary title=m.code_error_summary.as_str() error=error.clone()/>
        <p class="lead">{intro}</p>
        <form class="stacked-form" method="post" action="/account/contact/confirm" novalidate>
            <input type="hidden" name="code_id" value=code_id/>
            <CodeInput error=error/>
            <button class="button primary" type="submit">{m.code_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/account/contact">{m.contact_title.as_str()}</a></p>
    }
}
