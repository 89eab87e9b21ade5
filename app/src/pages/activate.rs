//! Account activation, phone first. A plain form: it posts to `/activate` with or without
//! JavaScript, and the server answers with a redirect back here carrying an error code, or on to
//! the confirmation page. Errors are summarised at the top (announced) and tied to their field.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::PageTitle;
use crate::{
    current_locale,
    i18n::{Messages, fill},
};

const MIN_PASSWORD_CHARACTERS: &str = "8";

/// Which field an error code belongs to, and its message.
fn explain(code: &str, m: &'static Messages) -> Option<(Option<&'static str>, String)> {
    let min = [("min", MIN_PASSWORD_CHARACTERS)];
    Some(match code {
        "missing" => (None, m.activate_error_missing.clone()),
        "birth" => (None, m.activate_error_birth.clone()),
        "key_mistyped" => (
            Some("connection_key"),
            m.activate_error_key_mistyped.clone(),
        ),
        "no_match" => (None, m.activate_error_no_match.clone()),
        "key_expired" => (None, m.activate_error_key_expired.clone()),
        "key_spent" => (None, m.activate_error_key_spent.clone()),
        "too_short" => (Some("password"), fill(&m.activate_error_too_short, &min)),
        "too_long" => (Some("password"), m.activate_error_too_long.clone()),
        "common" => (Some("password"), m.activate_error_common.clone()),
        "personal" => (Some("password"), m.activate_error_personal.clone()),
        "unavailable" => (None, m.activate_error_unavailable.clone()),
        _ => return None,
    })
}

#[component]
pub fn Activate() -> impl IntoView {
    let m = current_locale().messages();
    let error = use_query_map()
        .with_untracked(|query| query.get("error"))
        .and_then(|code| explain(&code, m));
    let field_error = |field: &'static str| {
        error
            .as_ref()
            .filter(|(target, _)| *target == Some(field))
            .map(|(_, message)| message.clone())
    };
    let key_error = field_error("connection_key");
    let password_error = field_error("password");
    let described_by = |hint: &'static str, error: &Option<String>, error_id: &'static str| {
        if error.is_some() {
            format!("{hint} {error_id}")
        } else {
            hint.to_owned()
        }
    };
    let key_described_by = described_by("key-hint", &key_error, "key-error");
    let password_described_by = described_by("password-hint", &password_error, "password-error");
    let key_invalid = key_error.is_some().then_some("true");
    let password_invalid = password_error.is_some().then_some("true");

    view! {
        <PageTitle page=if error.is_some() {
            fill(&m.page_with_error, &[("page", &m.activate_title)])
        } else {
            m.activate_title.clone()
        }/>
        <h1>{m.activate_title.as_str()}</h1>
        {error.clone().map(|(_, message)| view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
                <h2 id="error-summary-title">{m.activate_error_summary.as_str()}</h2>
                <p>{message}</p>
            </div>
        })}
        <p class="lead">{m.activate_intro.as_str()}</p>
        <form class="stacked-form" method="post" action="/activate" novalidate>
            <div class="field">
                <label for="foreigner_number">{m.activate_number_label.as_str()}</label>
                <p class="hint" id="number-hint">{m.activate_number_hint.as_str()}</p>
                <input id="foreigner_number" name="foreigner_number" type="text" inputmode="numeric"
                    autocomplete="off" spellcheck="false" required aria-describedby="number-hint"/>
            </div>
            <div class="field">
                <label for="connection_key">{m.activate_key_label.as_str()}</label>
                <p class="hint" id="key-hint">{m.activate_key_hint.as_str()}</p>
                {key_error.map(|message| view! { <p class="field-error" id="key-error">{message}</p> })}
                <input id="connection_key" name="connection_key" type="text" autocomplete="off"
                    autocapitalize="characters" spellcheck="false" required
                    aria-describedby=key_described_by aria-invalid=key_invalid/>
            </div>
            // Three numeric boxes rather than a date picker: memorable dates are typed, not picked,
            // and the order (day, month, year) does not depend on the browser's language.
            <fieldset class="field date-of-birth" aria-describedby="birth-hint">
                <legend>{m.activate_birth_label.as_str()}</legend>
                <p class="hint" id="birth-hint">{m.activate_birth_hint.as_str()}</p>
                <div class="date-parts">
                    <div class="date-part">
                        <label for="birth_day">{m.date_day.as_str()}</label>
                        <input id="birth_day" name="birth_day" type="text" inputmode="numeric"
                            autocomplete="bday-day" maxlength="2" size="2" required/>
                    </div>
                    <div class="date-part">
                        <label for="birth_month">{m.date_month.as_str()}</label>
                        <input id="birth_month" name="birth_month" type="text" inputmode="numeric"
                            autocomplete="bday-month" maxlength="2" size="2" required/>
                    </div>
                    <div class="date-part year">
                        <label for="birth_year">{m.date_year.as_str()}</label>
                        <input id="birth_year" name="birth_year" type="text" inputmode="numeric"
                            autocomplete="bday-year" maxlength="4" size="4" required/>
                    </div>
                </div>
            </fieldset>
            <div class="field">
                <label for="password">{m.activate_password_label.as_str()}</label>
                <p class="hint" id="password-hint">
                    {fill(&m.activate_password_hint, &[("min", MIN_PASSWORD_CHARACTERS)])}
                </p>
                {password_error.map(|message| view! { <p class="field-error" id="password-error">{message}</p> })}
                <input id="password" name="password" type="password" autocomplete="new-password" required
                    minlength=MIN_PASSWORD_CHARACTERS aria-describedby=password_described_by
                    aria-invalid=password_invalid/>
            </div>
            <button class="button primary" type="submit">{m.activate_submit.as_str()}</button>
        </form>
    }
}

#[component]
pub fn ActivationDone() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <PageTitle page=m.activate_done_title.as_str()/>
        <h1>{m.activate_done_title.as_str()}</h1>
        <p class="lead">{m.activate_done_text.as_str()}</p>
        <p><a href="/">{m.back_home.as_str()}</a></p>
    }
}
