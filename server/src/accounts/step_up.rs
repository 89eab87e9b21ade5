//! Re-authentication before a change that could hand the account to someone else: a new email
//! or phone (where reset codes go), removing one, the channels that announce documents; for
//! staff, roles, invitations, disabling members and API keys (a fresh authenticator code). Someone
//! holding the applicant's unlocked phone for a minute has the session, not the password: the
//! password typed within the last few minutes is asked for (OWASP ASVS 2.0, V6.3 / V7.5).
//!
//! A step-up is a short-lived signed token bound to one session (`Audience::StepUp`, 5 minutes):
//! it names the applicant and the session, so it opens nothing in another session, and it
//! needs no storage. Signing in or activating grants one, since the password was just typed.
//! Wrong passwords here are counted per account, with waits (never a lock: the owner's own
//! session must not be closed to them by someone else's guesses).

use chrono::{DateTime, Utc};

use crate::{
    accounts::password::verify_password,
    accounts::sessions::SignedIn,
    accounts::sign_in::{SignInError, audit_applicant_attempt},
    accounts::throttle::{self, PER_KNOWN_DEVICE},
    secret::Secret,
    session_token::{Audience, SessionTokens},
    staff::totp,
    storage::{ActorKind, NewAuditEvent, Storage, SubjectKind},
};

/// A refused proof is a refused sign-in attempt: the same answers (`refused`, `too_soon`,
/// `unavailable`), the same type.
pub type StepUpError = SignInError;

/// The token that lets `session` make sensitive changes for a few minutes.
pub fn grant(tokens: &SessionTokens<'_>, session: &SignedIn, now: DateTime<Utc>) -> String {
    tokens.issue(
        Audience::StepUp,
        session.subject_id,
        session.session_id,
        now,
    )
}

/// Whether `token` is a step-up of this very session, still fresh.
pub fn holds(
    tokens: &SessionTokens<'_>,
    session: &SignedIn,
    token: &str,
    now: DateTime<Utc>,
) -> bool {
    tokens
        .verify(token, Audience::StepUp, now)
        .is_ok_and(|claims| claims.sub == session.subject_id && claims.sid == session.session_id)
}

/// Checks the applicant's password again, inside their session. Audited either way.
pub async fn confirm_password(
    storage: &dyn Storage,
    session: &SignedIn,
    password: Secret,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StepUpError> {
    if session.subject_kind != SubjectKind::Applicant {
        return Err(StepUpError::Refused);
    }
    let key = format!("step_up:applicant:{}", session.subject_id);
    let outcome = async {
        throttle::admit(storage, &key, &PER_KNOWN_DEVICE, now).await?;
        let hash = storage
            .applicant_password_hash(session.subject_id)
            .await?
            .ok_or(StepUpError::Refused)?;
        if !verify_password(password, hash).await? {
            return Err(StepUpError::Refused);
        }
        throttle::succeeded(storage, &key).await?;
        Ok(())
    }
    .await;
    audit_applicant_attempt(
        storage,
        "step_up",
        Some(session.subject_id),
        outcome.is_ok(),
        ip_hash,
    )
    .await?;
    if let Err(error) = &outcome {
        tracing::info!(reason = error.code().as_str(), "re-authentication refused");
    }
    outcome
}

/// Checks a fresh code of a staff member's authenticator app, inside their session: for staff,
/// the code is what an open session on an unattended desk lacks. A code used once (here or at
/// sign-in) never works again. Audited either way.
pub async fn confirm_totp(
    storage: &dyn Storage,
    session: &SignedIn,
    code: &str,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StepUpError> {
    if session.subject_kind != SubjectKind::Staff {
        return Err(StepUpError::Refused);
    }
    let key = format!("step_up:staff:{}", session.subject_id);
    let outcome = async {
        throttle::admit(storage, &key, &PER_KNOWN_DEVICE, now).await?;
        let secret = storage
            .staff_totp_secret(session.subject_id)
            .await?
            .ok_or(StepUpError::Refused)?;
        let step =
            totp::matching_step(&secret, code, now.timestamp()).ok_or(StepUpError::Refused)?;
        if !storage.use_totp_step(session.subject_id, step).await? {
            return Err(StepUpError::Refused);
        }
        throttle::succeeded(storage, &key).await?;
        Ok(())
    }
    .await;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::Staff,
            actor_id: Some(session.subject_id),
            action: "step_up",
            target_kind: None,
            target_id: None,
            ip_hash,
            succeeded: outcome.is_ok(),
        })
        .await?;
    if let Err(error) = &outcome {
        tracing::info!(
            reason = error.code().as_str(),
            "staff re-authentication refused"
        );
    }
    outcome
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use uuid::Uuid;

    use super::*;
    use crate::signing_keys::SigningKeys;

    fn session(subject: Uuid) -> SignedIn {
        SignedIn {
            subject_kind: SubjectKind::Applicant,
            subject_id: subject,
            session_id: Uuid::new_v4(),
            shared_device: false,
            idle_expires_at: Utc::now() + Duration::minutes(15),
        }
    }

    #[test]
    fn a_step_up_opens_its_own_session_only() {
        let folder = tempfile::tempdir().unwrap();
        let keys = SigningKeys::load_or_create(folder.path()).unwrap();
        let tokens = SessionTokens::new(&keys, "https://portal.example");
        let applicant = Uuid::new_v4();
        let mine = session(applicant);
        let now = Utc::now();
        let token = grant(&tokens, &mine, now);
        assert!(holds(&tokens, &mine, &token, now));
        // Another session of the same applicant (a thief's, opened with a stolen cookie jar
        // from elsewhere) and another applicant's session: no.
        assert!(!holds(&tokens, &session(applicant), &token, now));
        assert!(!holds(&tokens, &session(Uuid::new_v4()), &token, now));
        // Stale: six minutes later, on the portal's clock.
        assert!(!holds(&tokens, &mine, &token, now + Duration::minutes(6)));
        // A session token is not a step-up.
        let session_token = tokens.issue(Audience::Applicant, applicant, mine.session_id, now);
        assert!(!holds(&tokens, &mine, &session_token, now));
    }
}
