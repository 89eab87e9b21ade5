//! The staff side's form handlers: `POST /staff/sign-in`, `/staff/enrol`, `/staff/sign-out`,
//! `/staff/lift-locks`, `/staff/find`, `/staff/applicants` and `/staff/applicants/reissue`. Thin, like the
//! applicant's: read, call the domain, redirect (or answer with the account notice).
//! Each handler that acts names the permission it needs in its extractor
//! (`SignedInStaff<may::…>`, or `RecentlyAuthenticatedStaff<may::…>` for changes to who may
//! do what), whatever the page showed.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use refusal::Code;
use server::{
    Services,
    accounts::known_device::KnownDevice,
    accounts::registration::{IssuedKey, register_applicant, reissue_connection_key},
    accounts::sessions,
    accounts::sign_in::lift_locks,
    http::{
        OrBackTo, PageRefusal,
        cookies::{self, PortalCookie},
        filled_form,
        who_is_asking::{RecentlyAuthenticatedStaff, SignedInStaff, StaffSession, may},
    },
    secret::Secret,
    session_token::Audience,
    staff::{self, Enrolment, StaffSignIn},
    storage::{Actor, ActorKind, NewApplicant, SubjectKind},
};

use crate::{
    accounts::account_notice::notice_for,
    accounts::sign_in_form::{end_session, known_device},
    accounts::step_up::step_up_cookie,
    app_state::AppState,
    session_layer::ClientAddressHash,
};

type Answer = Result<Response, PageRefusal>;

#[derive(serde::Deserialize)]
pub struct StaffSignInForm {
    email: String,
    password: String,
    code: String,
}

#[derive(serde::Deserialize)]
pub struct EnrolmentForm {
    token: String,
    totp_secret: String,
    password: String,
    code: String,
}

#[derive(serde::Deserialize)]
pub struct LiftLocksForm {
    foreigner_number: String,
}

#[derive(serde::Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    foreigner_number: String,
    #[serde(default)]
    file_number: String,
    given_names: String,
    family_name: String,
    date_of_birth: String,
    language: String,
    electronic_notification: Option<String>,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

// Names and birth dates of asylum seekers stay out of logs.
impl std::fmt::Debug for RegistrationForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegistrationForm([redacted])")
    }
}

impl std::fmt::Debug for StaffSignInForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffSignInForm([redacted])")
    }
}

impl std::fmt::Debug for EnrolmentForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentForm([redacted])")
    }
}

pub async fn submit_sign_in(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    headers: HeaderMap,
    form: Result<axum::Form<StaffSignInForm>, FormRejection>,
) -> Answer {
    const PAGE: &str = "/staff/sign-in";
    let filled = |form: &StaffSignInForm| {
        !form.email.trim().is_empty() && !form.password.is_empty() && !form.code.trim().is_empty()
    };
    let form = filled_form(form, filled, PAGE, Code::Missing)?;
    let services = &state.services;
    let now = services.clock.now();
    let attempt = StaffSignIn {
        email: form.email,
        password: Secret::new(form.password),
        code: form.code,
        ip_hash: ip_hash.clone(),
        known_device: known_device(services, &headers, PortalCookie::KnownStaffDevice),
    };
    let storage = services.storage.as_ref();
    let member = staff::sign_in(storage, &services.keyed_hasher, attempt, now)
        .await
        .or_back_to(PAGE)?;
    let tokens = services.session_tokens();
    let kind = SubjectKind::Staff;
    let started = sessions::start(storage, &tokens, kind, member.id, false, ip_hash, now)
        .await
        .map_err(|error| PageRefusal::unavailable(PAGE, &error))?;
    let https = services.config.serves_https();
    let known = KnownDevice::issue(&tokens, Audience::KnownStaffDevice, member.id, now);
    Ok(cookies::redirect_with(
        "/staff",
        [
            cookies::set(PortalCookie::StaffSession, &started.token, https),
            cookies::set(PortalCookie::KnownStaffDevice, &known, https),
            // The code was just typed: sensitive changes are allowed for a few minutes.
            step_up_cookie(services, &started.signed_in),
        ],
    ))
}

pub async fn submit_enrolment(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    form: Result<axum::Form<EnrolmentForm>, FormRejection>,
) -> Answer {
    let form = filled_form(form, |_| true, "/staff/sign-in", Code::Link)?;
    // The link stays in the address: the page is shown again with a fresh app secret.
    let token = url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect::<String>();
    let page = format!("/staff/enrol?token={token}");
    if form.password.is_empty() || form.code.trim().is_empty() {
        return Err(PageRefusal::new(page, Code::Missing));
    }
    let enrolment = Enrolment {
        token: Secret::new(form.token),
        new_password: Secret::new(form.password),
        totp_secret: Secret::new(form.totp_secret),
        code: form.code,
        ip_hash,
    };
    let services = &state.services;
    staff::complete_enrolment(services.storage.as_ref(), enrolment, services.clock.now())
        .await
        .or_back_to(page)?;
    Ok(Redirect::to("/staff/sign-in?enrolled=1").into_response())
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    session: Option<StaffSession>,
) -> Answer {
    let session = session.map(|StaffSession(session)| session);
    end_session(
        &state.services,
        session,
        ip_hash,
        PortalCookie::StaffSession,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct FindForm {
    number: String,
}

const FIND_PAGE: &str = "/staff/find";

/// Staff look an applicant up by number; the answer sends them to the file's page, whose
/// address names the applicant by id only.
pub async fn find_applicant(
    State(state): State<AppState>,
    _staff: SignedInStaff<may::ReadDocuments>,
    form: Result<axum::Form<FindForm>, FormRejection>,
) -> Answer {
    let filled = |form: &FindForm| !form.number.trim().is_empty();
    let form = filled_form(form, filled, FIND_PAGE, Code::Missing)?;
    let identifier = server::accounts::sign_in::normalize_identifier(&form.number);
    let applicant = (state.services.storage)
        .find_applicant_by_identifier(&identifier)
        .await
        .map_err(|error| PageRefusal::unavailable(FIND_PAGE, &error))?
        .ok_or(PageRefusal::new(FIND_PAGE, Code::NotFound))?;
    let page = crate::documents::document_routes::file_page(applicant.id);
    Ok(Redirect::to(&page).into_response())
}

// Each form of the staff home comes back naming itself, so the page shows the error beside the
// field it concerns (the same code, such as `invalid_number`, can come from several forms).
const UNLOCK_FORM: &str = "/staff?form=unlock";
const REGISTER_FORM: &str = "/staff?form=register";
const REISSUE_FORM: &str = "/staff?form=reissue";
const INVITE_FORM: &str = "/staff?form=invite";

pub async fn submit_lift_locks(
    State(state): State<AppState>,
    staff: SignedInStaff<may::LiftLocks>,
    form: Result<axum::Form<LiftLocksForm>, FormRejection>,
) -> Answer {
    let form = filled_form(form, |_| true, UNLOCK_FORM, Code::Missing)?;
    let services = &state.services;
    let (storage, hasher) = (services.storage.as_ref(), &services.keyed_hasher);
    let by = Some(staff.member.id);
    lift_locks(
        storage,
        hasher,
        &form.foreigner_number,
        ActorKind::Staff,
        by,
    )
    .await
    .map_err(|error| PageRefusal::unavailable(UNLOCK_FORM, &error))?;
    Ok(Redirect::to("/staff?lifted=1").into_response())
}

/// Registers an applicant and answers with their account notice (PDF), the only place the
/// connection key ever appears.
pub async fn submit_registration(
    State(state): State<AppState>,
    staff: SignedInStaff<may::RegisterApplicants>,
    form: Result<axum::Form<RegistrationForm>, FormRejection>,
) -> Answer {
    let form = filled_form(form, |_| true, REGISTER_FORM, Code::MissingName)?;
    let date_of_birth = chrono::NaiveDate::parse_from_str(form.date_of_birth.trim(), "%Y-%m-%d")
        .map_err(|_| PageRefusal::new(REGISTER_FORM, Code::Birth))?;
    let optional = |text: String| Some(text).filter(|text| !text.trim().is_empty());
    let registration = NewApplicant {
        foreigner_number: optional(form.foreigner_number),
        file_number: optional(form.file_number),
        given_names: form.given_names,
        family_name: form.family_name,
        date_of_birth,
        preferred_language: form.language.trim().to_lowercase(),
        electronic_notification: form.electronic_notification.is_some(),
        given: server::storage::GivenContacts {
            email: optional(form.email),
            phone: optional(form.phone),
        },
    };
    let services = &state.services;
    let by = Actor::staff(staff.member.id);
    let validity = services.config.connection_key_validity;
    let storage = services.storage.as_ref();
    let issued = register_applicant(storage, registration, by, validity, services.clock.now())
        .await
        .or_back_to(REGISTER_FORM)?;
    notice_response(services, &issued)
}

/// A new key and notice for an applicant who lost password and email (identity checked).
pub async fn submit_reissue(
    State(state): State<AppState>,
    staff: RecentlyAuthenticatedStaff<may::RegisterApplicants>,
    form: Result<axum::Form<LiftLocksForm>, FormRejection>,
) -> Answer {
    let form = filled_form(form, |_| true, REISSUE_FORM, Code::InvalidNumber)?;
    let services = &state.services;
    let by = Actor::staff(staff.member.id);
    let validity = services.config.connection_key_validity;
    let storage = services.storage.as_ref();
    let number = &form.foreigner_number;
    let issued = reissue_connection_key(storage, number, by, validity, services.clock.now())
        .await
        .or_back_to(REISSUE_FORM)?;
    notice_response(services, &issued)
}

fn notice_response(services: &Services, issued: &IssuedKey) -> Answer {
    // On failure the key stands; the agent reissues it for a new notice.
    let pdf = notice_for(issued, &services.config.public_url)
        .map_err(|error| PageRefusal::unavailable("/staff", &error))?;
    let applicant = &issued.applicant;
    let name = applicant
        .foreigner_number
        .clone()
        .or_else(|| applicant.file_number.clone())
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"avis-{name}.pdf\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct InvitationForm {
    email: String,
    name: String,
    role: String,
}

/// An administrator invites a staff member: the one-time set-up link goes to their work email.
pub async fn submit_invitation(
    State(state): State<AppState>,
    admin: RecentlyAuthenticatedStaff<may::ManageStaff>,
    form: Result<axum::Form<InvitationForm>, FormRejection>,
) -> Answer {
    let form = filled_form(
        form,
        |form| !form.name.trim().is_empty(),
        INVITE_FORM,
        Code::Missing,
    )?;
    let role = server::storage::StaffRole::parse(&form.role)
        .map_err(|_| PageRefusal::new(INVITE_FORM, Code::Missing))?;
    let services = &state.services;
    let storage = services.storage.as_ref();
    let by = Some(admin.member.id);
    let now = services.clock.now();
    let (invited, token) = staff::invite(storage, &form.email, &form.name, role, by, now)
        .await
        .map_err(|error| match error {
            staff::StaffError::InvalidEmail => PageRefusal::new(INVITE_FORM, Code::StaffEmail),
            staff::StaffError::Storage(server::storage::StorageError::Conflict(_)) => {
                PageRefusal::new(INVITE_FORM, Code::StaffExists)
            }
            error => PageRefusal::because(INVITE_FORM, &error),
        })?;
    let link = format!(
        "{}staff/enrol?token={}",
        services.config.public_url,
        token.expose()
    );
    send_invitation(services, &invited.email, &link)
        .await
        .map_err(|error| PageRefusal::unavailable(INVITE_FORM, &error))?;
    Ok(Redirect::to("/staff?invited=1").into_response())
}

#[derive(serde::Deserialize)]
pub struct MemberForm {
    member_id: String,
    role: Option<String>,
}

/// An administrator changes another member's role.
pub async fn submit_role_change(
    State(state): State<AppState>,
    admin: RecentlyAuthenticatedStaff<may::ManageStaff>,
    form: Result<axum::Form<MemberForm>, FormRejection>,
) -> Answer {
    let target = form.ok().and_then(|axum::Form(form)| {
        let id = uuid::Uuid::parse_str(&form.member_id).ok()?;
        let role = server::storage::StaffRole::parse(form.role.as_deref()?).ok()?;
        Some((id, role))
    });
    let (member_id, role) = target.ok_or(PageRefusal::new("/staff", Code::UnknownMember))?;
    let storage = state.services.storage.as_ref();
    staff::change_role(storage, &admin.member, member_id, role)
        .await
        .or_back_to("/staff")?;
    Ok(Redirect::to("/staff?updated=1").into_response())
}

/// An administrator disables another member: their sessions end at once.
pub async fn submit_disable(
    State(state): State<AppState>,
    admin: RecentlyAuthenticatedStaff<may::ManageStaff>,
    form: Result<axum::Form<MemberForm>, FormRejection>,
) -> Answer {
    let member_id = member_named(form)?;
    let services = &state.services;
    let now = services.clock.now();
    staff::disable(services.storage.as_ref(), &admin.member, member_id, now)
        .await
        .or_back_to("/staff")?;
    Ok(Redirect::to("/staff?updated=1").into_response())
}

/// Lets a member's sign-in attempts in again at once (after too many failures from anywhere),
/// once an administrator has checked who is asking.
pub async fn submit_unblock(
    State(state): State<AppState>,
    admin: RecentlyAuthenticatedStaff<may::ManageStaff>,
    form: Result<axum::Form<MemberForm>, FormRejection>,
) -> Answer {
    let member_id = member_named(form)?;
    let services = &state.services;
    let storage = services.storage.as_ref();
    let unavailable =
        |error: server::storage::StorageError| PageRefusal::unavailable("/staff", &error);
    let member = storage
        .find_staff_member(member_id)
        .await
        .map_err(unavailable)?
        .ok_or(PageRefusal::new("/staff", Code::UnknownMember))?;
    let by = Some(admin.member.id);
    staff::lift_staff_locks(storage, &services.keyed_hasher, &member.email, by)
        .await
        .map_err(unavailable)?;
    Ok(Redirect::to("/staff?updated=1").into_response())
}

/// The member a row's form names, if it names one at all.
fn member_named(
    form: Result<axum::Form<MemberForm>, FormRejection>,
) -> Result<uuid::Uuid, PageRefusal> {
    form.ok()
        .and_then(|axum::Form(form)| uuid::Uuid::parse_str(&form.member_id).ok())
        .ok_or(PageRefusal::new("/staff", Code::UnknownMember))
}

/// In French: the office's working language.
async fn send_invitation(
    services: &Services,
    to: &str,
    link: &str,
) -> Result<(), server::notifications::mailer::MailError> {
    let m = app::i18n::Locale::Fr.messages();
    let hours = staff::ENROLMENT_VALIDITY.num_hours().to_string();
    let text_body = app::i18n::fill(
        &m.email_staff_invite_body,
        &[("hours", &hours), ("link", link)],
    );
    services
        .mailer
        .send(&server::notifications::mailer::OutgoingEmail {
            to: to.to_owned(),
            subject: m.email_staff_invite_subject.clone(),
            html_body: crate::notifications::code_delivery::plain_text_as_html(
                &text_body,
                app::i18n::Locale::Fr,
            ),
            text_body,
            language: app::i18n::Locale::Fr.code().to_owned(),
        })
        .await
        .map(|_| ())
}
