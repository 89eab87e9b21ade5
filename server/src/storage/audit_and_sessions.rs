//! Rows for server-side sessions and the append-only audit log.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StorageError;

/// Whose session or action it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Applicant,
    Staff,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Applicant => "applicant",
            SubjectKind::Staff => "staff",
        }
    }

    pub(super) fn parse(text: &str) -> Result<SubjectKind, StorageError> {
        match text {
            "applicant" => Ok(SubjectKind::Applicant),
            "staff" => Ok(SubjectKind::Staff),
            other => Err(StorageError::Corrupt(format!(
                "unknown subject kind `{other}`"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    /// "This phone is shared": shorter timeouts, no remembered device.
    pub shared_device: bool,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: Uuid,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub shared_device: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub id: Uuid,
    pub subject_kind: String,
    pub subject_id: Uuid,
    pub shared_device: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StorageError;

    fn try_from(row: SessionRow) -> Result<Self, Self::Error> {
        Ok(Session {
            id: row.id,
            subject_kind: SubjectKind::parse(&row.subject_kind)?,
            subject_id: row.subject_id,
            shared_device: row.shared_device,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            idle_expires_at: row.idle_expires_at,
            absolute_expires_at: row.absolute_expires_at,
            revoked_at: row.revoked_at,
        })
    }
}

/// Who did something, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<Uuid>,
}

impl Actor {
    /// The command line, the demo data, the portal itself.
    pub fn system() -> Actor {
        Actor {
            kind: ActorKind::System,
            id: None,
        }
    }

    pub fn staff(id: Uuid) -> Actor {
        Actor {
            kind: ActorKind::Staff,
            id: Some(id),
        }
    }

    pub fn api_key(id: Uuid) -> Actor {
        Actor {
            kind: ActorKind::ApiKey,
            id: Some(id),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Applicant,
    Staff,
    ApiKey,
    System,
    /// Someone not signed in, e.g. a failed sign-in.
    Anonymous,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Applicant => "applicant",
            ActorKind::Staff => "staff",
            ActorKind::ApiKey => "api_key",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }

    pub(super) fn parse(text: &str) -> Result<ActorKind, StorageError> {
        [
            ActorKind::Applicant,
            ActorKind::Staff,
            ActorKind::ApiKey,
            ActorKind::System,
            ActorKind::Anonymous,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown actor kind `{text}`")))
    }
}

/// One line of the audit log. `action` is a stable machine name such as `sign_in`; nothing
/// secret (passwords, codes, keys, document contents) ever goes in an event.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent {
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub action: &'static str,
    pub target_kind: Option<&'static str>,
    pub target_id: Option<Uuid>,
    /// Keyed hash of the client address, never the address itself.
    pub ip_hash: Option<String>,
    pub succeeded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<Uuid>,
    pub ip_hash: Option<String>,
    pub succeeded: bool,
    /// Place in the hash chain; `None` for events written before the chain began.
    pub sequence: Option<i64>,
    pub previous_hash: Option<String>,
    pub event_hash: Option<String>,
}

/// The hash before the first chained event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl AuditEvent {
    /// SHA-256 over the previous hash and every field of the event, in a fixed text form (hex).
    /// Changing any field, or removing or reordering events, breaks the chain from there on.
    pub fn chain_hash(&self, sequence: i64, previous_hash: &str) -> String {
        use sha2::{Digest, Sha256};
        let optional = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
        let canonical = [
            "v1".to_owned(),
            sequence.to_string(),
            previous_hash.to_owned(),
            self.id.to_string(),
            self.occurred_at.timestamp_micros().to_string(),
            self.actor_kind.as_str().to_owned(),
            optional(self.actor_id.map(|id| id.to_string())),
            self.action.clone(),
            optional(self.target_kind.clone()),
            optional(self.target_id.map(|id| id.to_string())),
            optional(self.ip_hash.clone()),
            if self.succeeded { "success" } else { "failure" }.to_owned(),
        ]
        .join("\n");
        Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AuditEventRow {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<Uuid>,
    pub ip_hash: Option<String>,
    pub outcome: String,
    pub sequence: Option<i64>,
    pub previous_hash: Option<String>,
    pub event_hash: Option<String>,
}

impl TryFrom<AuditEventRow> for AuditEvent {
    type Error = StorageError;

    fn try_from(row: AuditEventRow) -> Result<Self, Self::Error> {
        Ok(AuditEvent {
            id: row.id,
            occurred_at: row.occurred_at,
            actor_kind: ActorKind::parse(&row.actor_kind)?,
            actor_id: row.actor_id,
            action: row.action,
            target_kind: row.target_kind,
            target_id: row.target_id,
            ip_hash: row.ip_hash,
            succeeded: row.outcome == "success",
            sequence: row.sequence,
            previous_hash: row.previous_hash,
            event_hash: row.event_hash,
        })
    }
}
