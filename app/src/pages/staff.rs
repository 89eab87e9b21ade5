//! The staff side: sign-in (password and TOTP code together), enrolment from a one-time link,
//! and the staff home. Plain forms, like the applicant side; the server guards `/staff`.

use leptos::prelude::*;
use refusal::Code;

use crate::i18n::refusal_text;

use super::PageTitle;
use super::form_feedback::{
    ErrorSummary, FormError, FormPageTitle, SuccessNotice, field_state, query_error, query_value,
    sent_back, typed, typed_from, typed_in,
};
use crate::{
    current_locale,
    i18n::{Locale, Messages, fill},
    staff::{StaffListEntry, StaffSummary, enrolment_details, staff_members, staff_overview},
};

fn explain(code: Code, m: &'static Messages) -> Option<FormError> {
    let password = |message: &str| FormError::field("password", message);
    Some(match code {
        Code::Refused => FormError::page(&m.staff_sign_in_error_refused),
        Code::CodeWrong => FormError::field("code", &m.staff_enrol_error_code),
        Code::TooShort | Code::TooLong | Code::Common | Code::Personal => {
            password(&refusal_text(code, m))
        }
        Code::Forbidden => FormError::page(&m.staff_forbidden),
        Code::Birth | Code::BirthFuture => FormError::page(&m.staff_error_birth),
        Code::UnknownApplicant => FormError::page(&m.staff_error_unknown_applicant),
        Code::KeyName => FormError::field("api_key_name", &m.staff_error_key_name),
        _ => FormError::page(&refusal_text(code, m)),
    })
}

/// The field of the staff home's form (`?form=`) that an error code concerns.
fn field_in_form(form: &str, code: Code) -> Option<&'static str> {
    Some(match (form, code) {
        ("register", Code::InvalidNumber | Code::NoIdentifier | Code::AlreadyRegistered) => {
            "foreigner_number"
        }
        ("register", Code::MissingName) => "given_names",
        ("register", Code::Birth | Code::BirthFuture) => "date_of_birth",
        ("register", Code::Language) => "language",
        ("register", Code::Phone) => "given_phone",
        ("register", Code::Email) => "given_email",
        ("reissue", Code::InvalidNumber | Code::UnknownApplicant) => "reissue_number",
        ("unlock", Code::Missing) => "unlock_number",
        ("invite", Code::StaffEmail | Code::StaffExists) => "invite_email",
        ("invite", Code::Missing) => "invite_name",
        _ => return None,
    })
}

/// The authenticator code field, shared by sign-in and enrolment.
#[component]
fn TotpInput(error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let field = field_state(&error, "code", "totp-hint");
    view! {
        <div class="field">
            <label for="code">{m.staff_totp_label.as_str()}</label>
            <p class="hint" id="totp-hint">{m.staff_totp_hint.as_str()}</p>
            {field.error_view()}
            <input id="code" name="code" class="code-input" type="text" inputmode="numeric"
                autocomplete="one-time-code" maxlength="7" required
                aria-describedby=field.described_by aria-invalid=field.invalid/>
        </div>
    }
}

#[component]
pub fn StaffSignIn() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let notice = match (query_value("enrolled"), query_value("signed_out")) {
        (Some(_), _) => Some(m.staff_enrolled.as_str()),
        (_, Some(_)) => Some(m.sign_in_signed_out.as_str()),
        _ => None,
    }
    .filter(|_| error.is_none());
    view! {
        <FormPageTitle page=m.staff_sign_in_title.as_str() has_error=error.is_some()/>
        <h1>{m.staff_sign_in_title.as_str()}</h1>
        {notice.map(|text| view! { <SuccessNotice text=text/> })}
        <ErrorSummary title=m.sign_in_error_summary.as_str() error=error.clone()/>
        <p class="lead">{m.staff_sign_in_intro.as_str()}</p>
        <form class="stacked-form" method="post" action="/staff/sign-in" novalidate>
            <div class="field">
                <label for="email">{m.staff_email_label.as_str()}</label>
                <input id="email" name="email" type="email" autocomplete="username" required
                    value=typed_from("/staff/sign-in", "email")/>
            </div>
            <div class="field">
                <label for="password">{m.sign_in_password_label.as_str()}</label>
                <input id="password" name="password" type="password"
                    autocomplete="current-password" required/>
            </div>
            <TotpInput error=error/>
            <button class="button primary" type="submit">{m.sign_in_submit.as_str()}</button>
        </form>
    }
}

#[component]
pub fn StaffEnrol() -> impl IntoView {
    let m = current_locale().messages();
    let error = query_error(|code| explain(code, m));
    let token = query_value("token").unwrap_or_default();
    let password = field_state(&error, "password", "password-hint");
    view! {
        <FormPageTitle page=m.staff_enrol_title.as_str() has_error=error.is_some()/>
        <h1>{m.staff_enrol_title.as_str()}</h1>
        <ErrorSummary title=m.staff_enrol_error_summary.as_str() error=error.clone()/>
        <Suspense fallback=|| ()>
            {move || {
                let token = token.clone();
                let scanned = typed("totp_secret");
                let error = error.clone();
                let password = (
                    password.described_by.clone(),
                    password.invalid,
                    password.error_view(),
                );
                Suspend::new(async move {
                    let Ok(details) = enrolment_details(token.clone(), scanned).await else {
                        return view! { <p role="alert">{m.staff_enrol_error_link.as_str()}</p> }
                            .into_any();
                    };
                    let intro = fill(&m.staff_enrol_intro, &[("email", &details.email)]);
                    view! {
                        <p class="lead">{intro}</p>
                        <form class="stacked-form" method="post" action="/staff/enrol" novalidate>
                            <input type="hidden" name="token" value=token/>
                            <input type="hidden" name="totp_secret" value=details.totp_secret.clone()/>
                            <div class="field">
                                <label for="password">{m.activate_password_label.as_str()}</label>
                                <p class="hint" id="password-hint">
                                    {fill(&m.activate_password_hint, &[("min", "8")])}
                                </p>
                                {password.2}
                                <input id="password" name="password" type="password"
                                    autocomplete="new-password" required
                                    aria-describedby=password.0 aria-invalid=password.1/>
                            </div>
                            <div class="field">
                                <p class="hint" id="qr-hint">{m.staff_enrol_qr_hint.as_str()}</p>
                                // Drawn on the server from the otpauth address: only squares.
                                <div class="totp-qr" role="img" aria-label=m.staff_enrol_qr_label.as_str()
                                    aria-describedby="qr-hint" inner_html=details.qr_code_svg></div>
                                <p class="label-like">{m.staff_enrol_secret_label.as_str()}</p>
                                <p class="totp-secret">
                                    <code>{group_by_four(&details.totp_secret)}</code>
                                </p>
                                <p><a href=details.provisioning_uri>{m.staff_enrol_open_app.as_str()}</a></p>
                            </div>
                            <TotpInput error=error/>
                            <button class="button primary" type="submit">{m.staff_enrol_submit.as_str()}</button>
                        </form>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

/// "Dari – دری": the name staff read, then the one the applicant reads.
fn language_choice(m: &Messages, locale: Locale) -> String {
    let name = m.language_name(locale);
    if name == locale.native_name() {
        name.to_owned()
    } else {
        format!("{name} – {}", locale.native_name())
    }
}

/// "ABCD EFGH ..." is easier to copy by hand than 32 characters in a row.
fn group_by_four(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn StaffHome() -> impl IntoView {
    let m = current_locale().messages();
    let form = query_value("form").unwrap_or_default();
    let error = query_error(|code| {
        explain(code, m).map(|error| FormError {
            field: field_in_form(&form, code).or(error.field),
            ..error
        })
    });
    let notice = match (
        query_value("lifted"),
        query_value("invited"),
        query_value("updated"),
    ) {
        (Some(_), _, _) => Some(m.staff_lift_locks_done.as_str()),
        (_, Some(_), _) => Some(m.staff_invited.as_str()),
        (_, _, Some(_)) => Some(m.staff_member_updated.as_str()),
        _ => query_value("api_key_revoked").map(|_| m.staff_api_key_revoked.as_str()),
    }
    .filter(|_| error.is_none());
    view! {
        <PageTitle page=m.staff_home_title.as_str()/>
        <h1>{m.staff_home_title.as_str()}</h1>
        {notice.map(|text| view! { <SuccessNotice text=text/> })}
        <ErrorSummary title=m.staff_home_title.as_str() error=error.clone()/>
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                match staff_overview().await {
                    Ok(summary) => view! { <StaffSections summary error/> }.into_any(),
                    Err(_) => view! { <p role="alert">{m.account_unavailable.as_str()}</p> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

#[component]
fn StaffSections(summary: StaffSummary, error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let role = match summary.role.as_str() {
        "administrator" => m.staff_role_administrator.as_str(),
        "supervisor" => m.staff_role_supervisor.as_str(),
        _ => m.staff_role_agent.as_str(),
    };
    let greeting = fill(
        &m.staff_home_greeting,
        &[("name", &summary.display_name), ("role", role)],
    );
    view! {
        <super::applicant_file::FindApplicant/>
        <p class="lead">{greeting}</p>
        <p><a class="button secondary" href="/staff/at-risk">{m.staff_at_risk_title.as_str()}</a></p>
        <RegistrationForms error=error.clone()/>
        {summary.may_lift_locks.then(|| {
            let unlock = field_state(&error, "unlock_number", "lift-intro");
            view! {
            <section aria-labelledby="lift-title">
                <h2 id="lift-title">{m.staff_lift_locks_title.as_str()}</h2>
                <p id="lift-intro">{m.staff_lift_locks_intro.as_str()}</p>
                <form class="stacked-form" method="post" action="/staff/lift-locks">
                    <div class="field">
                        <label for="unlock_number">{m.staff_unlock_number_label.as_str()}</label>
                        {unlock.error_view()}
                        <input id="unlock_number" name="foreigner_number" type="text"
                            inputmode="numeric" autocomplete="off" required
                            value=typed_in("unlock", "foreigner_number")
                            aria-describedby=unlock.described_by aria-invalid=unlock.invalid/>
                    </div>
                    <button class="button primary" type="submit">{m.staff_lift_locks_submit.as_str()}</button>
                </form>
            </section>
        }})}
        {summary.may_manage_staff.then(|| view! {
            <InviteStaffForm error=error.clone()/> <StaffList/> <super::api_keys::ApiKeySection/>
        })}
    }
}

#[component]
fn InviteStaffForm(error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let email = field_state(&error, "invite_email", "invite-intro");
    let name = field_state(&error, "invite_name", "invite-intro");
    let roles = [
        ("agent", m.staff_role_agent.as_str()),
        ("supervisor", m.staff_role_supervisor.as_str()),
        ("administrator", m.staff_role_administrator.as_str()),
    ];
    let typed_role = typed_in("invite", "role");
    view! {
        <section aria-labelledby="invite-title">
            <h2 id="invite-title">{m.staff_invite_title.as_str()}</h2>
            <p id="invite-intro">{m.staff_invite_intro.as_str()}</p>
            <form class="stacked-form" method="post" action="/staff/members">
                <div class="field">
                    <label for="invite_email">{m.staff_email_label.as_str()}</label>
                    {email.error_view()}
                    <input id="invite_email" name="email" type="email" autocomplete="off" required
                        value=typed_in("invite", "email")
                        aria-describedby=email.described_by aria-invalid=email.invalid/>
                </div>
                <div class="field">
                    <label for="invite_name">{m.staff_invite_name_label.as_str()}</label>
                    {name.error_view()}
                    <input id="invite_name" name="name" type="text" autocomplete="off" required
                        value=typed_in("invite", "name")
                        aria-describedby=name.described_by aria-invalid=name.invalid/>
                </div>
                <div class="field">
                    <label for="invite_role">{m.staff_invite_role_label.as_str()}</label>
                    <select id="invite_role" name="role">
                        {roles
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = typed_role.as_deref() == Some(value);
                                view! { <option value=value selected=selected>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <button class="button primary" type="submit">{m.staff_invite_submit.as_str()}</button>
            </form>
        </section>
    }
}

/// Registering an applicant, and a new key for one who lost everything: both answer with the
/// account notice (PDF), which the browser downloads while this page stays.
#[component]
fn RegistrationForms(error: Option<FormError>) -> impl IntoView {
    let m = current_locale().messages();
    let text_field = |id: &'static str, label: &'static str, required: bool| {
        let field = field_state(&error, id, "register-intro");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                {field.error_view()}
                <input id=id name=id type="text" autocomplete="off" spellcheck="false"
                    required=required aria-describedby=field.described_by
                    aria-invalid=field.invalid value=typed_in("register", id)/>
            </div>
        }
    };
    let language = field_state(&error, "language", "register-intro");
    let given_phone = field_state(&error, "given_phone", "given-contacts-hint");
    let given_email = field_state(&error, "given_email", "given-contacts-hint");
    let reissue = field_state(&error, "reissue_number", "reissue-intro");
    let chosen_language = typed_in("register", "language")
        .and_then(|code| Locale::from_code(&code))
        .unwrap_or(Locale::DEFAULT);
    // Unticked, a checkbox sends nothing: a form sent back without it had it unticked.
    let electronic = !sent_back("register") || typed("electronic_notification").is_some();
    view! {
        <section aria-labelledby="register-title">
            <h2 id="register-title">{m.staff_register_title.as_str()}</h2>
            <p id="register-intro">{m.staff_register_intro.as_str()}</p>
            <form class="stacked-form" method="post" action="/staff/applicants">
                {text_field("foreigner_number", m.activate_number_label.as_str(), false)}
                {text_field("file_number", m.staff_file_number_label.as_str(), false)}
                {text_field("given_names", m.staff_given_names_label.as_str(), true)}
                {text_field("family_name", m.staff_family_name_label.as_str(), true)}
                {text_field("date_of_birth", m.staff_birth_label.as_str(), true)}
                <div class="field">
                    <label for="language">{m.staff_language_choice_label.as_str()}</label>
                    {language.error_view()}
                    <select id="language" name="language" required
                        aria-describedby=language.described_by aria-invalid=language.invalid>
                        {Locale::ALL.into_iter().map(|locale| {
                            let selected = locale == chosen_language;
                            // The record keeps a language code (ISO 639): Dari is `prs`.
                            let code = match locale {
                                Locale::FaAf => "prs",
                                other => other.code(),
                            };
                            view! {
                                <option value=code selected=selected>
                                    {language_choice(m, locale)}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </div>
                <fieldset class="field-group">
                    <legend>{m.staff_given_contacts_legend.as_str()}</legend>
                    <p class="hint" id="given-contacts-hint">{m.staff_given_contacts_hint.as_str()}</p>
                    <div class="field">
                        <label for="given_phone">{m.staff_given_phone_label.as_str()}</label>
                        {given_phone.error_view()}
                        <input id="given_phone" name="phone" type="tel" autocomplete="off"
                            inputmode="tel" value=typed_in("register", "phone")
                            aria-describedby=given_phone.described_by
                            aria-invalid=given_phone.invalid/>
                    </div>
                    <div class="field">
                        <label for="given_email">{m.staff_given_email_label.as_str()}</label>
                        {given_email.error_view()}
                        <input id="given_email" name="email" type="email" autocomplete="off"
                            spellcheck="false" value=typed_in("register", "email")
                            aria-describedby=given_email.described_by
                            aria-invalid=given_email.invalid/>
                    </div>
                </fieldset>
                <div class="check-field">
                    <input id="electronic_notification" name="electronic_notification"
                        type="checkbox" value="on" checked=electronic/>
                    <label for="electronic_notification">{m.staff_electronic_label.as_str()}</label>
                </div>
                <button class="button primary" type="submit">{m.staff_register_submit.as_str()}</button>
            </form>
        </section>
        <section aria-labelledby="reissue-title">
            <h2 id="reissue-title">{m.staff_reissue_title.as_str()}</h2>
            <p id="reissue-intro">{m.staff_reissue_intro.as_str()}</p>
            <form class="stacked-form" method="post" action="/staff/applicants/reissue">
                <div class="field">
                    <label for="reissue_number">{m.staff_reissue_number_label.as_str()}</label>
                    {reissue.error_view()}
                    <input id="reissue_number" name="foreigner_number" type="text"
                        inputmode="numeric" autocomplete="off" required
                        value=typed_in("reissue", "foreigner_number")
                        aria-describedby=reissue.described_by aria-invalid=reissue.invalid/>
                </div>
                <button class="button secondary" type="submit">{m.staff_reissue_submit.as_str()}</button>
            </form>
        </section>
    }
}

/// Every staff member, with a role to change and a switch to disable them (administrators).
#[component]
fn StaffList() -> impl IntoView {
    let m = current_locale().messages();
    view! {
        <section aria-labelledby="members-title">
            <h2 id="members-title">{m.staff_members_title.as_str()}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    staff_members()
                        .await
                        .map(|members| {
                            view! {
                                <ul class="staff-list">
                                    {members.into_iter().map(|member| view! { <StaffRow member/> }).collect_view()}
                                </ul>
                            }
                        })
                        .ok()
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn StaffRow(member: StaffListEntry) -> impl IntoView {
    let m = current_locale().messages();
    let state = if member.disabled {
        Some(m.staff_member_disabled.as_str())
    } else if !member.enrolled {
        Some(m.staff_member_pending.as_str())
    } else {
        None
    };
    let role_id = format!("role-{}", member.id);
    let role_label = fill(&m.staff_role_for, &[("name", &member.display_name)]);
    let disable_label = fill(&m.staff_disable_for, &[("name", &member.display_name)]);
    let unblock_label = fill(&m.staff_unblock_for, &[("name", &member.display_name)]);
    let roles = [
        ("agent", m.staff_role_agent.as_str()),
        ("supervisor", m.staff_role_supervisor.as_str()),
        ("administrator", m.staff_role_administrator.as_str()),
    ];
    view! {
        <li>
            <p>
                <strong>{member.display_name.clone()}</strong>" – "{member.email.clone()}
                {state.map(|state| view! { " ("{state}")" })}
            </p>
            {(!member.disabled && !member.is_you).then(|| view! {
                <form class="inline-form" method="post" action="/staff/members/role">
                    <input type="hidden" name="member_id" value=member.id.clone()/>
                    <label for=role_id.clone()>{role_label}</label>
                    <select id=role_id name="role">
                        {roles
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = value == member.role;
                                view! { <option value=value selected=selected>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                    <button class="button secondary" type="submit">{m.staff_change_role.as_str()}</button>
                </form>
                <form class="inline-form" method="post" action="/staff/members/disable">
                    <input type="hidden" name="member_id" value=member.id.clone()/>
                    <button class="button secondary" type="submit" aria-label=disable_label>
                        {m.staff_disable.as_str()}
                    </button>
                </form>
            })}
            {(member.enrolled && !member.disabled).then(|| view! {
                <form class="inline-form" method="post" action="/staff/members/unblock">
                    <input type="hidden" name="member_id" value=member.id.clone()/>
                    <button class="button secondary" type="submit" aria-label=unblock_label>
                        {m.staff_unblock.as_str()}
                    </button>
                </form>
            })}
        </li>
    }
}
