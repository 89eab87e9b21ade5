//! The applicant's contact settings: a verified email and a verified mobile phone, each added
//! with a code sent to it (`POST /account/contact` or `/account/contact/phone`, then
//! `/account/contact/confirm`), each removable while the other remains
//! (`/account/contact/remove`), and the channels that announce new documents
//! (`/account/contact/channels`). Plain forms: the page works without the WebAssembly.

use leptos::prelude::*;
use refusal::Code;

use crate::i18n::refusal_text;

use super::form_feedback::{
    ErrorSummary, FormError, FormPageTitle, SuccessNotice, field_state, query_error, query_value,
};
use super::sign_in::CodeInput;
use crate::{
    CODE_LIFETIME_MINUTES,
    account::{AccountSummary, account_overview},
    current_locale,
    i18n::{Messages, fill},
};

fn explain(code: Code, m: &'static Messages) -> Option<FormError> {
    Some(match code {
        Code::Email | Code::Missing => FormError::field("email", &m.contact_error_email),
        Code::Phone => FormError::field("phone", &m.contact_error_phone),
        Code::CodeWrong => FormError::field("code", &m.code_error_wrong),
        _ => FormError::page(&refusal_text(code, m)),
    })
}

#[component]
pub fn Contact() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let just_activated = query_value("activated").is_some() && error.is_none();
    let done = if error.is_some() {
        None
    } else if just_activated {
        Some(m.activate_done_title.as_str())
    } else if query_value("removed").is_some() {
        Some(m.contact_removed.as_str())
    } else if query_value("channels").is_some() {
        Some(m.contact_channels_saved.as_str())
    } else if query_value("push").is_some() {
        Some(m.push_removed_all.as_str())
    } else {
        None
    };
    view! {
        <FormPageTitle page=m.contact_settings_title.as_str() has_error=error.is_some()/>
        {done.map(|text| view! { <SuccessNotice text/> })}
        <h1>{m.contact_settings_title.as_str()}</h1>
        <ErrorSummary title=m.contact_error_summary.as_str() error=error.clone()/>
        <p class="lead">
            {if just_activated { m.contact_activated.as_str() } else { m.contact_settings_intro.as_str() }}
        </p>
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match account_overview().await {
                        Ok(overview) => view! { <ContactSections overview error/> }.into_any(),
                        Err(_) => view! { <p role="alert">{m.account_unavailable.as_str()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <p class="aside"><a href="/account">{m.nav_documents.as_str()}</a></p>
    }
}

#[component]
fn ContactSections(overview: AccountSummary, error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let email = field_state(&error, "email", "email-hint");
    let phone = field_state(&error, "phone", "phone-hint");
    // The last verified contact cannot go: sign-in codes need somewhere to arrive.
    let both = overview.email.is_some() && overview.phone.is_some();
    let email_now = match &overview.email {
        Some(address) => fill(&m.contact_email_current, &[("email", address)]),
        None => m.contact_email_none.clone(),
    };
    let phone_now = match &overview.phone {
        Some(number) => fill(&m.contact_phone_current, &[("phone", number)]),
        None => m.contact_phone_none.clone(),
    };
    let alert_email = overview.email.is_some() || overview.given_email.is_some();
    let alert_phone = overview.phone.is_some() || overview.given_phone.is_some();
    view! {
        <section aria-labelledby="email-title">
            <h2 id="email-title">{m.contact_email_section.as_str()}</h2>
            <p>{email_now}</p>
            {(both && overview.email.is_some()).then(|| view! { <RemoveButton kind="email"/> })}
            {overview.given_email.clone().map(|value| view! { <GivenContact kind="email" value/> })}
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
        </section>
        <section aria-labelledby="phone-title">
            <h2 id="phone-title">{m.contact_phone_section.as_str()}</h2>
            <p>{phone_now}</p>
            {(both && overview.phone.is_some()).then(|| view! { <RemoveButton kind="phone"/> })}
            {overview.given_phone.clone().map(|value| view! { <GivenContact kind="phone" value/> })}
            <form class="stacked-form" method="post" action="/account/contact/phone" novalidate>
                <div class="field">
                    <label for="phone">{m.contact_phone_label.as_str()}</label>
                    <p class="hint" id="phone-hint">{m.contact_phone_hint.as_str()}</p>
                    {phone.error_view()}
                    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel"
                        required aria-describedby=phone.described_by aria-invalid=phone.invalid/>
                </div>
                <button class="button primary" type="submit">{m.contact_phone_submit.as_str()}</button>
            </form>
        </section>
        <section aria-labelledby="channels-title">
            <h2 id="channels-title">{m.contact_channels_title.as_str()}</h2>
            <form class="stacked-form" method="post" action="/account/contact/channels">
                <fieldset>
                    <legend class="hint" id="channels-hint">{m.contact_channels_hint.as_str()}</legend>
                    <ChannelChoice id="channel-email" name="email" wanted=overview.notify_by_email
                        reachable=alert_email label=m.contact_channel_email.as_str()/>
                    <ChannelChoice id="channel-sms" name="sms" wanted=overview.notify_by_sms
                        reachable=alert_phone label=m.contact_channel_sms.as_str()/>
                    <div class="check-field">
                        <input id="detailed-reminders" name="detailed_reminders" type="checkbox"
                            value="on" checked=overview.detailed_reminders
                            aria-describedby="detailed-reminders-hint"/>
                        <label for="detailed-reminders">{m.contact_detailed_reminders.as_str()}</label>
                    </div>
                    <p class="hint" id="detailed-reminders-hint">{m.contact_detailed_reminders_hint.as_str()}</p>
                </fieldset>
                <button class="button secondary" type="submit">{m.contact_channels_submit.as_str()}</button>
            </form>
        </section>
        <PushSection public_key=overview.push_public_key devices=overview.push_devices/>
    }
}

/// One channel's box: ticked only when the channel can reach the person. With no address or
/// number yet it cannot be ticked, and says what it needs; the choice stands unseen (a hidden
/// field sends it back), so the alerts start once a contact point is added.
#[component]
fn ChannelChoice(
    id: &'static str,
    name: &'static str,
    wanted: bool,
    reachable: bool,
    label: &'static str,
) -> impl IntoView {
    let m = current_locale().messages();
    let needs = (!reachable).then(|| format!(" {}", m.contact_channel_needs_contact));
    view! {
        <div class="check-field">
            <input id=id name=name type="checkbox" value="on" checked=wanted && reachable
                disabled=!reachable/>
            {(wanted && !reachable).then(|| view! { <input type="hidden" name=name value="on"/> })}
            <label for=id>{label}{needs}</label>
        </div>
    }
}

/// Alerts on this phone (Web Push). Subscribing needs the browser's push API, so `/push.js`
/// shows the buttons where it works; without it the section says what is needed. Stopping on
/// every device is a plain form.
#[component]
fn PushSection(public_key: String, devices: usize) -> impl IntoView {
    let m = current_locale().messages();
    let devices_text = fill(&m.push_devices, &[("count", &devices.to_string())]);
    view! {
        <section aria-labelledby="push-title" id="push-settings" data-vapid-key=public_key
            data-on=m.push_on.as_str() data-off=m.push_off.as_str()
            data-denied=m.push_denied.as_str() data-failed=m.push_failed.as_str()>
            <h2 id="push-title">{m.push_section.as_str()}</h2>
            <p class="hint">{m.push_intro.as_str()}</p>
            <p data-push="unsupported">{m.push_unsupported.as_str()}</p>
            <p>
                <button class="button secondary" type="button" data-push="on" hidden>
                    {m.push_turn_on.as_str()}
                </button>
                <button class="button secondary" type="button" data-push="off" hidden>
                    {m.push_turn_off.as_str()}
                </button>
            </p>
            <p aria-live="polite" data-push="status"></p>
            {(devices > 0).then(|| view! {
                <p>{devices_text}</p>
                <form method="post" action="/account/push/remove-all">
                    <button class="button secondary" type="submit">{m.push_remove_all.as_str()}</button>
                </form>
            })}
            <script type="module" src="/push.js"></script>
        </section>
    }
}

/// The email or mobile number the office noted at registration: alerts go there until the
/// applicant confirms it (a code sent to it, as for any new contact), gives another, or removes
/// it. Codes never go there: nobody has shown it is theirs.
#[component]
fn GivenContact(kind: &'static str, value: String) -> impl IntoView {
    let m = current_locale().messages();
    let (text, action, field, confirm, remove, remove_kind) = if kind == "email" {
        (
            fill(&m.contact_given_email, &[("email", &value)]),
            "/account/contact",
            "email",
            m.contact_given_confirm_email.as_str(),
            m.contact_given_remove_email.as_str(),
            "given_email",
        )
    } else {
        (
            fill(&m.contact_given_phone, &[("phone", &value)]),
            "/account/contact/phone",
            "phone",
            m.contact_given_confirm_phone.as_str(),
            m.contact_given_remove_phone.as_str(),
            "given_phone",
        )
    };
    view! {
        <div class="given-contact">
            <p>{text}</p>
            <div class="button-row">
                <form method="post" action=action>
                    <input type="hidden" name=field value=value/>
                    <button class="button primary" type="submit">{confirm}</button>
                </form>
                <form method="post" action="/account/contact/remove">
                    <input type="hidden" name="kind" value=remove_kind/>
                    <button class="button secondary" type="submit">{remove}</button>
                </form>
            </div>
        </div>
    }
}

#[component]
fn RemoveButton(kind: &'static str) -> impl IntoView {
    let m = current_locale().messages();
    let label = if kind == "email" {
        m.contact_remove_email.as_str()
    } else {
        m.contact_remove_phone.as_str()
    };
    view! {
        <form method="post" action="/account/contact/remove">
            <input type="hidden" name="kind" value=kind/>
            <button class="button secondary" type="submit">{label}</button>
        </form>
    }
}

#[component]
pub fn ContactConfirm() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    // Which code was sent: not a secret (the digits are), and checked against the session.
    let code_id = query_value("code").unwrap_or_default();
    let by_sms = query_value("via").as_deref() == Some("sms");
    let (title, intro) = if by_sms {
        (
            &m.contact_confirm_phone_title,
            &m.contact_confirm_phone_intro,
        )
    } else {
        (&m.contact_confirm_title, &m.contact_confirm_intro)
    };
    let intro = fill(intro, &[("minutes", CODE_LIFETIME_MINUTES)]);
    view! {
        <FormPageTitle page=title.as_str() has_error=error.is_some()/>
        <h1>{title.as_str()}</h1>
        <ErrorSummary title=m.code_error_summary.as_str() error=error.clone()/>
        <p class="lead">{intro}</p>
        <form class="stacked-form" method="post" action="/account/contact/confirm" novalidate>
            <input type="hidden" name="code_id" value=code_id/>
            <input type="hidden" name="via" value=if by_sms { "sms" } else { "email" }/>
            <CodeInput error=error/>
            <button class="button primary" type="submit">{m.code_submit.as_str()}</button>
        </form>
        <p class="aside"><a href="/account/contact">{m.contact_settings_title.as_str()}</a></p>
    }
}
