//! The staff side's form handlers: `POST /staff/sign-in`, `/staff/enrol`, `/staff/sign-out`,
//! `/staff/lift-locks`, `/staff/applicants` and `/staff/applicants/reissue`. Thin, like the
//! applicant's: read, call the domain, redirect (or answer with the account notice).
//! Each handler that acts checks the member's role itself, whatever the page showed.

use axum::{
    Extension,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use server::{
    Services,
    known_device::KnownDevice,
    registration::{IssuedKey, RegistrationError, register_applicant, reissue_connection_key},
    secret::Secret,
    session_token::Audience,
    sessions::{self, SignedIn},
    sign_in::lift_locks,
    staff::{self, Enrolment, StaffPermission, StaffSignIn, may},
    storage::{Actor, ActorKind, NewApplicant, StaffMember, SubjectKind},
};

use crate::{
    account_notice::notice_for,
    cookies::{self, PortalCookie},
    session_layer::ClientAddressHash,
    sign_in_form::{back_to, end_session, known_device, redirect_with_cookies},
    startup::AppState,
    step_up::{RecentlyAuthenticatedStaff, step_up_cookie},
};

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
) -> Response {
    let form = match form {
        Ok(axum::Form(form))
            if !form.email.trim().is_empty()
                && !form.password.is_empty()
                && !form.code.trim().is_empty() =>
        {
            form
        }
        _ => return back_to("/staff/sign-in", "missing"),
    };
    let services = &state.services;
    let now = Utc::now();
    let member = staff::sign_in(
        services.storage.as_ref(),
        &services.keyed_hasher,
        StaffSignIn {
            email: form.email,
            password: Secret::new(form.password),
            code: form.code,
            ip_hash: ip_hash.clone(),
            known_device: known_device(services, &headers, PortalCookie::KnownStaffDevice),
        },
        now,
    )
    .await;
    let member = match member {
        Ok(member) => member,
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "staff sign-in failed");
            }
            return back_to("/staff/sign-in", error.code());
        }
    };
    let started = sessions::start(
        services.storage.as_ref(),
        &services.session_tokens(),
        SubjectKind::Staff,
        member.id,
        false,
        ip_hash,
        now,
    )
    .await;
    match started {
        Ok(started) => {
            let https = services.config.serves_https();
            let known = KnownDevice::issue(
                &services.session_tokens(),
                Audience::KnownStaffDevice,
                member.id,
                now,
            );
            redirect_with_cookies(
                "/staff",
                [
                    cookies::set(PortalCookie::StaffSession, &started.token, https),
                    cookies::set(PortalCookie::KnownStaffDevice, &known, https),
                    // The code was just typed: sensitive changes are allowed for a few minutes.
                    step_up_cookie(services, &started.signed_in),
                ],
            )
        }
        Err(error) => {
            tracing::error!(%error, "staff session could not be started");
            back_to("/staff/sign-in", "unavailable")
        }
    }
}

pub async fn submit_enrolment(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    form: Result<axum::Form<EnrolmentForm>, FormRejection>,
) -> Response {
    let Ok(axum::Form(form)) = form else {
        return back_to("/staff/sign-in", "link");
    };
    // The link stays in the address: the page is shown again with a fresh app secret.
    let page = format!(
        "/staff/enrol?token={}",
        url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect::<String>()
    );
    if form.password.is_empty() || form.code.trim().is_empty() {
        return back_to(&page, "missing");
    }
    let result = staff::complete_enrolment(
        state.services.storage.as_ref(),
        Enrolment {
            token: Secret::new(form.token),
            new_password: Secret::new(form.password),
            totp_secret: Secret::new(form.totp_secret),
            code: form.code,
            ip_hash,
        },
        Utc::now(),
    )
    .await;
    match result {
        Ok(_) => Redirect::to("/staff/sign-in?enrolled=1").into_response(),
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "staff enrolment failed");
            }
            back_to(&page, error.code())
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(ClientAddressHash(ip_hash)): Extension<ClientAddressHash>,
    signed_in: Option<Extension<SignedIn>>,
) -> Response {
    end_session(
        &state.services,
        signed_in,
        ip_hash,
        PortalCookie::StaffSession,
    )
    .await
}

// Each form of the staff home comes back naming itself, so the page shows the error beside the
// field it concerns (the same code, such as `invalid_number`, can come from several forms).
const UNLOCK_FORM: &str = "/staff?form=unlock";
const REGISTER_FORM: &str = "/staff?form=register";
const REISSUE_FORM: &str = "/staff?form=reissue";
const INVITE_FORM: &str = "/staff?form=invite";

pub async fn submit_lift_locks(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<LiftLocksForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let member = match authorized(services, signed_in, StaffPermission::LiftLocks).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Ok(axum::Form(form)) = form else {
        return back_to(UNLOCK_FORM, "missing");
    };
    match lift_locks(
        services.storage.as_ref(),
        &services.keyed_hasher,
        &form.foreigner_number,
        ActorKind::Staff,
        Some(member.id),
    )
    .await
    {
        Ok(_) => Redirect::to("/staff?lifted=1").into_response(),
        Err(error) => {
            tracing::error!(%error, "locks could not be lifted");
            back_to(UNLOCK_FORM, "unavailable")
        }
    }
}

/// Registers an applicant and answers with their account notice (PDF), the only place the
/// connection key ever appears.
pub async fn submit_registration(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    form: Result<axum::Form<RegistrationForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let member = match authorized(services, signed_in, StaffPermission::RegisterApplicants).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Ok(axum::Form(form)) = form else {
        return back_to(REGISTER_FORM, "missing_name");
    };
    let Ok(date_of_birth) =
        chrono::NaiveDate::parse_from_str(form.date_of_birth.trim(), "%Y-%m-%d")
    else {
        return back_to(REGISTER_FORM, "birth");
    };
    let optional = |text: String| Some(text).filter(|text| !text.trim().is_empty());
    let registration = NewApplicant {
        foreigner_number: optional(form.foreigner_number),
        file_number: optional(form.file_number),
        given_names: form.given_names,
        family_name: form.family_name,
        date_of_birth,
        preferred_language: form.language.trim().to_lowercase(),
        electronic_notification: form.electronic_notification.is_some(),
    };
    let now = Utc::now();
    match register_applicant(
        services.storage.as_ref(),
        registration,
        Actor::staff(member.id),
        services.config.connection_key_validity,
        now,
    )
    .await
    {
        Ok(issued) => notice_response(services, &issued),
        Err(error) => registration_refused(REGISTER_FORM, &error),
    }
}

/// A new key and notice for an applicant who lost password and email (identity checked).
pub async fn submit_reissue(
    State(state): State<AppState>,
    recent: RecentlyAuthenticatedStaff,
    form: Result<axum::Form<LiftLocksForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let member = match authorized_now(services, recent, StaffPermission::RegisterApplicants).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Ok(axum::Form(form)) = form else {
        return back_to(REISSUE_FORM, "invalid_number");
    };
    let now = Utc::now();
    match reissue_connection_key(
        services.storage.as_ref(),
        &form.foreigner_number,
        Actor::staff(member.id),
        services.config.connection_key_validity,
        now,
    )
    .await
    {
        Ok(issued) => notice_response(services, &issued),
        Err(error) => registration_refused(REISSUE_FORM, &error),
    }
}

fn registration_refused(form: &str, error: &RegistrationError) -> Response {
    if error.code() == "unavailable" {
        tracing::error!(%error, "registration failed");
    }
    back_to(form, error.code())
}

fn notice_response(services: &Services, issued: &IssuedKey) -> Response {
    let pdf = match notice_for(issued, &services.config.public_url) {
        Ok(pdf) => pdf,
        Err(error) => {
            // The key stands; the agent reissues it for a new notice.
            tracing::error!(%error, "an account notice could not be printed");
            return back_to("/staff", "unavailable");
        }
    };
    let applicant = &issued.applicant;
    let name = applicant
        .foreigner_number
        .clone()
        .or_else(|| applicant.file_number.clone())
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>();
    (
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
        .into_response()
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
    recent: RecentlyAuthenticatedStaff,
    form: Result<axum::Form<InvitationForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let member = match authorized_now(services, recent, StaffPermission::ManageStaff).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Some(form) = form
        .ok()
        .map(|axum::Form(form)| form)
        .filter(|form| !form.name.trim().is_empty())
    else {
        return back_to(INVITE_FORM, "missing");
    };
    let Ok(role) = server::storage::StaffRole::parse(&form.role) else {
        return back_to(INVITE_FORM, "missing");
    };
    let now = Utc::now();
    let invited = staff::invite(
        services.storage.as_ref(),
        &form.email,
        &form.name,
        role,
        Some(member.id),
        now,
    )
    .await;
    let (invited, token) = match invited {
        Ok(invited) => invited,
        Err(staff::StaffError::InvalidEmail) => return back_to(INVITE_FORM, "staff_email"),
        Err(staff::StaffError::Storage(server::storage::StorageError::Conflict(_))) => {
            return back_to(INVITE_FORM, "staff_exists");
        }
        Err(error) => {
            tracing::error!(%error, "staff member could not be invited");
            return back_to(INVITE_FORM, "unavailable");
        }
    };
    let link = format!(
        "{}staff/enrol?token={}",
        services.config.public_url,
        token.expose()
    );
    if let Err(error) = send_invitation(services, &invited.email, &link).await {
        tracing::error!(%error, "invitation could not be sent");
        return back_to(INVITE_FORM, "unavailable");
    }
    Redirect::to("/staff?invited=1").into_response()
}

#[derive(serde::Deserialize)]
pub struct MemberForm {
    member_id: String,
    role: Option<String>,
}

/// An administrator changes another member's role.
pub async fn submit_role_change(
    State(state): State<AppState>,
    recent: RecentlyAuthenticatedStaff,
    form: Result<axum::Form<MemberForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let admin = match authorized_now(services, recent, StaffPermission::ManageStaff).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let target = form.ok().and_then(|axum::Form(form)| {
        let id = uuid::Uuid::parse_str(&form.member_id).ok()?;
        let role = server::storage::StaffRole::parse(form.role.as_deref()?).ok()?;
        Some((id, role))
    });
    let Some((member_id, role)) = target else {
        return back_to("/staff", "unknown_member");
    };
    member_changed(staff::change_role(services.storage.as_ref(), &admin, member_id, role).await)
}

/// An administrator disables another member: their sessions end at once.
pub async fn submit_disable(
    State(state): State<AppState>,
    recent: RecentlyAuthenticatedStaff,
    form: Result<axum::Form<MemberForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let admin = match authorized_now(services, recent, StaffPermission::ManageStaff).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Some(member_id) = member_named(form) else {
        return back_to("/staff", "unknown_member");
    };
    member_changed(staff::disable(services.storage.as_ref(), &admin, member_id, Utc::now()).await)
}

/// Lets a member's sign-in attempts in again at once (after too many failures from anywhere),
/// once an administrator has checked who is asking.
pub async fn submit_unblock(
    State(state): State<AppState>,
    recent: RecentlyAuthenticatedStaff,
    form: Result<axum::Form<MemberForm>, FormRejection>,
) -> Response {
    let services = &state.services;
    let admin = match authorized_now(services, recent, StaffPermission::ManageStaff).await {
        Ok(member) => member,
        Err(response) => return response,
    };
    let Some(member_id) = member_named(form) else {
        return back_to("/staff", "unknown_member");
    };
    let storage = services.storage.as_ref();
    let lifted = match storage.find_staff_member(member_id).await {
        Ok(Some(member)) => {
            staff::lift_staff_locks(
                storage,
                &services.keyed_hasher,
                &member.email,
                Some(admin.id),
            )
            .await
        }
        Ok(None) => return back_to("/staff", "unknown_member"),
        Err(error) => Err(error),
    };
    match lifted {
        Ok(_) => Redirect::to("/staff?updated=1").into_response(),
        Err(error) => {
            tracing::error!(%error, "staff sign-in waits could not be lifted");
            back_to("/staff", "unavailable")
        }
    }
}

/// The member a row's form names, if it names one at all.
fn member_named(form: Result<axum::Form<MemberForm>, FormRejection>) -> Option<uuid::Uuid> {
    form.ok()
        .and_then(|axum::Form(form)| uuid::Uuid::parse_str(&form.member_id).ok())
}

fn member_changed(result: Result<(), staff::StaffError>) -> Response {
    match result {
        Ok(()) => Redirect::to("/staff?updated=1").into_response(),
        Err(error) => {
            if error.code() == "unavailable" {
                tracing::error!(%error, "staff member could not be changed");
            }
            back_to("/staff", error.code())
        }
    }
}

/// In French: the office's working language.
async fn send_invitation(
    services: &Services,
    to: &str,
    link: &str,
) -> Result<(), server::mailer::MailError> {
    let m = app::i18n::Locale::Fr.messages();
    let hours = staff::ENROLMENT_VALIDITY.num_hours().to_string();
    let text_body = app::i18n::fill(
        &m.email_staff_invite_body,
        &[("hours", &hours), ("link", link)],
    );
    services
        .mailer
        .send(&server::mailer::OutgoingEmail {
            to: to.to_owned(),
            subject: m.email_staff_invite_subject.clone(),
            html_body: crate::code_delivery::plain_text_as_html(&text_body, app::i18n::Locale::Fr),
            text_body,
        })
        .await
        .map(|_| ())
}

/// The staff member behind this request's session, if their role allows `permission`; anyone
/// not signed in is sent to sign in, a role that does not allow it gets a clear refusal.
pub(crate) async fn authorized(
    services: &Services,
    signed_in: Option<Extension<SignedIn>>,
    permission: StaffPermission,
) -> Result<StaffMember, Response> {
    let member = staff_member(services, signed_in).await?;
    if may(member.role, permission) {
        Ok(member)
    } else {
        tracing::warn!(
            role = member.role.as_str(),
            ?permission,
            "refused to this role"
        );
        Err(back_to("/staff", "forbidden"))
    }
}

/// The same for a session that proved itself a moment ago (`RecentlyAuthenticatedStaff`).
pub(crate) async fn authorized_now(
    services: &Services,
    RecentlyAuthenticatedStaff(signed_in): RecentlyAuthenticatedStaff,
    permission: StaffPermission,
) -> Result<StaffMember, Response> {
    authorized(services, Some(Extension(signed_in)), permission).await
}

/// The staff member behind this request's session, still active; anyone else is sent to sign in.
async fn staff_member(
    services: &Services,
    signed_in: Option<Extension<SignedIn>>,
) -> Result<StaffMember, Response> {
    let id = signed_in
        .map(|Extension(signed_in)| signed_in)
        .filter(|signed_in| signed_in.subject_kind == SubjectKind::Staff)
        .map(|signed_in| signed_in.subject_id)
        .ok_or_else(|| back_to("/staff/sign-in", "expired"))?;
    match services.storage.find_staff_member(id).await {
        Ok(Some(member)) if member.disabled_at.is_none() => Ok(member),
        Ok(_) => Err(back_to("/staff/sign-in", "expired")),
        Err(error) => {
            tracing::error!(%error, "staff member could not be read");
            Err(back_to("/staff", "unavailable"))
        }
    }
}
