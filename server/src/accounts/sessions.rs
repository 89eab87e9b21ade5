//! Signed-in sessions: a server-side row (revocable at once) and a short-lived token naming it.
//!
//! Every request checks the row, so sign-out, "sign out everywhere", a password change or a
//! staff lock-out take effect on the very next request. The token proves which row, for whom
//! and for which side (applicant or staff); it is re-signed every few minutes while the row
//! stays active, and activity pushes the idle expiry back up to the absolute limit.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    session_token::{Audience, SessionTokens, TOKEN_LIFETIME},
    storage::{ActorKind, NewAuditEvent, NewSession, Storage, StorageError, SubjectKind},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

/// "This phone is shared" shortens both limits.
pub fn session_policy(kind: SubjectKind, shared_device: bool) -> SessionPolicy {
    match (kind, shared_device) {
        (SubjectKind::Applicant, false) => SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        },
        (SubjectKind::Applicant, true) => SessionPolicy {
            idle: Duration::minutes(10),
            absolute: Duration::hours(2),
        },
        (SubjectKind::Staff, _) => SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(10),
        },
    }
}

/// Activity is written at most this often, so that reading pages does not write on every hit.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

fn audience_of(kind: SubjectKind) -> Audience {
    match kind {
        SubjectKind::Applicant => Audience::Applicant,
        SubjectKind::Staff => Audience::Staff,
    }
}

/// Who is asking, as established from a valid session; put in request extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub session_id: Uuid,
    pub shared_device: bool,
    pub idle_expires_at: DateTime<Utc>,
}

pub struct StartedSession {
    pub signed_in: SignedIn,
    pub token: String,
}

pub async fn start(
    storage: &dyn Storage,
    tokens: &SessionTokens<'_>,
    kind: SubjectKind,
    subject_id: Uuid,
    shared_device: bool,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<StartedSession, StorageError> {
    let policy = session_policy(kind, shared_device);
    let session = storage
        .create_session(
            &NewSession {
                subject_kind: kind,
                subject_id,
                shared_device,
                idle_expires_at: now + policy.idle,
                absolute_expires_at: now + policy.absolute,
            },
            now,
        )
        .await?;
    audit(storage, kind, subject_id, "session_start", ip_hash).await?;
    let token = tokens.issue(audience_of(kind), subject_id, session.id, now);
    Ok(StartedSession {
        signed_in: SignedIn {
            subject_kind: kind,
            subject_id,
            session_id: session.id,
            shared_device,
            idle_expires_at: session.idle_expires_at,
        },
        token,
    })
}

/// A session found active: who it is, and a fresh token when the old one should be replaced.
pub struct Resumed {
    pub signed_in: SignedIn,
    pub fresh_token: Option<String>,
}

/// `None` when the token is not ours, not for this side, or its session is over.
pub async fn resume(
    storage: &dyn Storage,
    tokens: &SessionTokens<'_>,
    kind: SubjectKind,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Resumed>, StorageError> {
    let Ok(claims) = tokens.verify_for_refresh(token, audience_of(kind), now) else {
        return Ok(None);
    };
    let Some(session) = storage.find_active_session(claims.sid, now).await? else {
        return Ok(None);
    };
    if session.subject_kind != kind || session.subject_id != claims.sub {
        return Ok(None);
    }
    let mut idle_expires_at = session.idle_expires_at;
    if now - session.last_seen_at >= TOUCH_INTERVAL {
        let policy = session_policy(kind, session.shared_device);
        idle_expires_at = (now + policy.idle).min(session.absolute_expires_at);
        if !storage
            .touch_session(session.id, now, now + policy.idle)
            .await?
        {
            return Ok(None);
        }
    }
    let stale = now.timestamp() >= claims.iat + TOKEN_LIFETIME.num_seconds() / 2;
    Ok(Some(Resumed {
        signed_in: SignedIn {
            subject_kind: kind,
            subject_id: session.subject_id,
            session_id: session.id,
            shared_device: session.shared_device,
            idle_expires_at,
        },
        fresh_token: stale.then(|| tokens.issue(audience_of(kind), claims.sub, session.id, now)),
    }))
}

/// "Stay signed in": pushes the idle expiry back now, whatever the touch interval.
pub async fn extend(
    storage: &dyn Storage,
    signed_in: &SignedIn,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let policy = session_policy(signed_in.subject_kind, signed_in.shared_device);
    storage
        .touch_session(signed_in.session_id, now, now + policy.idle)
        .await
}

/// Sign-out of this session only.
pub async fn end(
    storage: &dyn Storage,
    signed_in: &SignedIn,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    storage.revoke_session(signed_in.session_id, now).await?;
    audit(
        storage,
        signed_in.subject_kind,
        signed_in.subject_id,
        "sign_out",
        ip_hash,
    )
    .await
}

/// Ends every session of this person and forgets every remembered device.
pub async fn end_everywhere(
    storage: &dyn Storage,
    signed_in: &SignedIn,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let ended = storage
        .revoke_sessions_of(signed_in.subject_kind, signed_in.subject_id, now)
        .await?;
    if signed_in.subject_kind == SubjectKind::Applicant {
        storage.forget_devices(signed_in.subject_id, now).await?;
    }
    audit(
        storage,
        signed_in.subject_kind,
        signed_in.subject_id,
        "sign_out_everywhere",
        ip_hash,
    )
    .await?;
    Ok(ended)
}

async fn audit(
    storage: &dyn Storage,
    kind: SubjectKind,
    subject_id: Uuid,
    action: &'static str,
    ip_hash: Option<String>,
) -> Result<(), StorageError> {
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: match kind {
                SubjectKind::Applicant => ActorKind::Applicant,
                SubjectKind::Staff => ActorKind::Staff,
            },
            actor_id: Some(subject_id),
            action,
            target_kind: None,
            target_id: None,
            ip_hash,
            succeeded: true,
        })
        .await
        .map(|_| ())
}
