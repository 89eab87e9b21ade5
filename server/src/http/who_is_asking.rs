//! Who is asking, as extractors: a handler or server function that takes one cannot forget the
//! check, and gets the refusal (a `PageRefusal`) without writing it. The session middleware has
//! already checked the session cookie and put `SignedIn` in the request; these read it, look
//! up the staff member's role where a permission is needed, and check the step-up cookie for
//! changes that could hand an account to someone else.
//!
//! - `SignedInApplicant`: an applicant's session.
//! - `SignedInStaff<P>`: an active staff member whose role allows `P` (`may::…`).
//! - `RecentlyAuthenticated`: an applicant who typed their password in this session a moment ago.
//! - `RecentlyAuthenticatedStaff<P>`: the same for staff (a fresh authenticator code), and `P`.
//!
//! The API's caller (`Authorization: Bearer`) is the back-office API's own extractor: its
//! refusals are JSON.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use refusal::Code;

use super::{
    PageRefusal,
    cookies::{self, PortalCookie},
};
use crate::{
    Services,
    accounts::sessions::SignedIn,
    accounts::step_up,
    staff::{self, StaffPermission},
    storage::{StaffMember, SubjectKind},
};

/// Which side of the portal: where its refusals lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Applicant,
    Staff,
}

impl Side {
    pub fn of(kind: SubjectKind) -> Side {
        match kind {
            SubjectKind::Staff => Side::Staff,
            _ => Side::Applicant,
        }
    }

    pub fn subject_kind(self) -> SubjectKind {
        match self {
            Side::Applicant => SubjectKind::Applicant,
            Side::Staff => SubjectKind::Staff,
        }
    }

    pub fn step_up_cookie(self) -> PortalCookie {
        match self {
            Side::Applicant => PortalCookie::StepUp,
            Side::Staff => PortalCookie::StaffStepUp,
        }
    }

    /// Where the proof is given again.
    pub fn confirm_page(self) -> &'static str {
        match self {
            Side::Applicant => "/account/confirm-password",
            Side::Staff => "/staff/confirm",
        }
    }

    /// Where a sensitive change is asked from, and where a confirmation leads back to.
    pub fn home(self) -> &'static str {
        match self {
            Side::Applicant => "/account/contact",
            Side::Staff => "/staff",
        }
    }

    pub fn sign_in_page(self) -> &'static str {
        match self {
            Side::Applicant => "/sign-in",
            Side::Staff => "/staff/sign-in",
        }
    }

    /// The session of this side in the request, if any.
    pub fn session(self, parts: &Parts) -> Result<SignedIn, PageRefusal> {
        parts
            .extensions
            .get::<SignedIn>()
            .filter(|signed_in| signed_in.subject_kind == self.subject_kind())
            .cloned()
            .ok_or_else(|| PageRefusal::new(self.sign_in_page(), Code::Expired))
    }

    /// Passes if the step-up cookie is fresh and was granted to this very session.
    fn proven_recently(
        self,
        parts: &Parts,
        services: &Services,
        session: &SignedIn,
    ) -> Result<(), PageRefusal> {
        let https = services.config.serves_https();
        let tokens = services.session_tokens();
        let now = services.clock.now();
        cookies::read(&parts.headers, self.step_up_cookie(), https)
            .filter(|token| step_up::holds(&tokens, session, token, now))
            .map(|_| ())
            .ok_or(PageRefusal::go_to(self.confirm_page()))
    }
}

/// An applicant's session.
#[derive(Debug, Clone)]
pub struct SignedInApplicant(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for SignedInApplicant {
    type Rejection = PageRefusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Side::Applicant.session(parts).map(SignedInApplicant)
    }
}

/// `Option<SignedInApplicant>`: for what works signed in or not (signing out).
impl<S: Send + Sync> OptionalFromRequestParts<S> for SignedInApplicant {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(Side::Applicant.session(parts).ok().map(SignedInApplicant))
    }
}

/// A staff session, whatever the member's role or state: for signing out only. Anything
/// else takes `SignedInStaff<P>`, which checks the member is still active.
#[derive(Debug, Clone)]
pub struct StaffSession(pub SignedIn);

impl<S: Send + Sync> OptionalFromRequestParts<S> for StaffSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(Side::Staff.session(parts).ok().map(StaffSession))
    }
}

/// An applicant's session whose password was typed again a moment ago.
#[derive(Debug, Clone)]
pub struct RecentlyAuthenticated(pub SignedIn);

impl<S> FromRequestParts<S> for RecentlyAuthenticated
where
    S: Send + Sync,
    Services: FromRef<S>,
{
    type Rejection = PageRefusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Side::Applicant.session(parts)?;
        Side::Applicant.proven_recently(parts, &Services::from_ref(state), &session)?;
        Ok(RecentlyAuthenticated(session))
    }
}

/// What a staff extractor demands of the member's role.
pub trait Permission: Send + Sync + 'static {
    const NEEDED: StaffPermission;
}

/// The permissions, as types: `SignedInStaff<may::ManageStaff>`.
pub mod may {
    use super::Permission;
    use crate::staff::StaffPermission;

    macro_rules! permissions {
        ($($name:ident),+) => {$(
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl Permission for $name {
                const NEEDED: StaffPermission = StaffPermission::$name;
            }
        )+};
    }

    permissions!(
        RegisterApplicants,
        ReadDocuments,
        PushDocuments,
        WithdrawDocuments,
        CloseAccounts,
        ExportPersonalData,
        ReadAudit,
        LiftLocks,
        ManageStaff,
        ManageApiKeys
    );
}

/// An active staff member whose role allows `P`, with their session.
#[derive(Debug, Clone)]
pub struct SignedInStaff<P> {
    pub member: StaffMember,
    pub session: SignedIn,
    permission: PhantomData<P>,
}

/// The same, who also typed a fresh authenticator code a moment ago.
#[derive(Debug, Clone)]
pub struct RecentlyAuthenticatedStaff<P> {
    pub member: StaffMember,
    pub session: SignedIn,
    permission: PhantomData<P>,
}

/// The member behind `session`, if still active and allowed `needed`.
pub async fn allowed_member(
    services: &Services,
    session: &SignedIn,
    needed: StaffPermission,
) -> Result<StaffMember, PageRefusal> {
    let member = match services.storage.find_staff_member(session.subject_id).await {
        Ok(Some(member)) if member.disabled_at.is_none() => member,
        Ok(_) => return Err(PageRefusal::new(Side::Staff.sign_in_page(), Code::Expired)),
        Err(error) => return Err(PageRefusal::unavailable(Side::Staff.home(), &error)),
    };
    if staff::may(member.role, needed) {
        Ok(member)
    } else {
        tracing::warn!(role = member.role.as_str(), permission = ?needed, "refused to this role");
        Err(PageRefusal::new(Side::Staff.home(), Code::Forbidden))
    }
}

impl<S, P> FromRequestParts<S> for SignedInStaff<P>
where
    S: Send + Sync,
    Services: FromRef<S>,
    P: Permission,
{
    type Rejection = PageRefusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Side::Staff.session(parts)?;
        let member = allowed_member(&Services::from_ref(state), &session, P::NEEDED).await?;
        Ok(SignedInStaff {
            member,
            session,
            permission: PhantomData,
        })
    }
}

impl<S, P> FromRequestParts<S> for RecentlyAuthenticatedStaff<P>
where
    S: Send + Sync,
    Services: FromRef<S>,
    P: Permission,
{
    type Rejection = PageRefusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let services = Services::from_ref(state);
        let session = Side::Staff.session(parts)?;
        // The role first: no one is asked to prove themselves for something they may not do.
        let member = allowed_member(&services, &session, P::NEEDED).await?;
        Side::Staff.proven_recently(parts, &services, &session)?;
        Ok(RecentlyAuthenticatedStaff {
            member,
            session,
            permission: PhantomData,
        })
    }
}
