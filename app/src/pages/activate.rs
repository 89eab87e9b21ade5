//! Account activation, phone first. A plain form: it posts to `/activate` with or without
//! JavaScript, and the server answers with a redirect back here carrying an error code, or on to
//! the applicant's space (signed in) to add an email address. Errors are summarised at the top
//! (announced) and tied to their field.

use leptos::prelude::*;
use refusal::Code;

use crate::i18n::refusal_text;

use super::form_feedback::{ErrorSummary, FormError, FormPageTitle, field_state, query_error};
use super::sign_in::SharedDeviceField;
use crate::{
    MIN_PASSWORD_CHARACTERS, current_locale,
    i18n::{Messages, fill},
};

/// Which field an error code belongs to, and its message.
fn explain(code: Code, m: &'static Messages) -> Option<FormError> {
    let password = |message: String| FormError::field("password", &message);
    Some(match code {
        Code::KeyMistyped => FormError::field("connection_key", &m.activate_error_key_mistyped),
        Code::TooShort | Code::TooLong | Code::Common | Code::Personal => {
            password(refusal_text(code, m))
        }
        _ => FormError::page(&refusal_text(code, m)),
    })
}

#[component]
pub fn Activate() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let key = field_state(&error, "connection_key", "key-hint");
    let password = field_state(&error, "password", "password-hint");

    view! {
        <FormPageTitle page=m.activate_title.as_str() has_error=error.is_some()/>
        <h1>{m.activate_title.as_str()}</h1>
        <ErrorSummary title=m.activate_error_summary.as_str() error=error.clone()/>
        <p class="lead">{m.activate_intro.as_str()}</p>
        <form class="stacked-form" method="post" action="/activate" novalidate>
            <div class="field">
                <label for="foreigner_number">{m.identifier_label.as_str()}</label>
                <p class="hint" id="number-hint">{m.identifier_hint.as_str()}</p>
                <input id="foreigner_number" name="foreigner_number" type="text"
                    autocomplete="off" spellcheck="false" required aria-describedby="number-hint"/>
            </div>
            <div class="field">
                <label for="connection_key">{m.activate_key_label.as_str()}</label>
                <p class="hint" id="key-hint">{m.activate_key_hint.as_str()}</p>
                {key.error_view()}
                <input id="connection_key" name="connection_key" type="text" autocomplete="off"
                    autocapitalize="characters" spellcheck="false" required
                    aria-describedby=key.described_by aria-invalid=key.invalid/>
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
                {password.error_view()}
                <input id="password" name="password" type="password" autocomplete="new-password" required
                    minlength=MIN_PASSWORD_CHARACTERS aria-describedby=password.described_by
                    aria-invalid=password.invalid/>
            </div>
            <SharedDeviceField/>
            <button class="button primary" type="submit">{m.activate_submit.as_str()}</button>
        </form>
    }
}
