//! Keys of the office's back-office systems for the REST API: 256 random bits shown once when
//! created (by an administrator on `/staff/admin`, or `espace-usager create-api-key`), stored as
//! SHA-256 only, revocable, and scoped: a key does only what its scopes name. A request names
//! its key in `Authorization: Bearer eu_…`.

use chrono::{DateTime, Utc};
use refusal::Code;
use uuid::Uuid;

use crate::{
    random_token::{new_token, token_hash},
    secret::Secret,
    storage::{Actor, ApiKey, NewAuditEvent, Storage, StorageError},
};

const PREFIX: &str = "eu_";
const MAX_NAME_CHARS: usize = 100;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiScope {
    /// Register applicants (and receive their account notice).
    ApplicantsWrite,
    /// Post documents, one or in bulk.
    DocumentsWrite,
    /// Read documents' notification status and acknowledgements of receipt.
    DocumentsRead,
    /// Read what the applicant declared on the portal (their postal address).
    ApplicantsRead,
}

impl ApiScope {
    pub const ALL: [ApiScope; 4] = [
        ApiScope::ApplicantsWrite,
        ApiScope::DocumentsWrite,
        ApiScope::DocumentsRead,
        ApiScope::ApplicantsRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::ApplicantsWrite => "applicants:write",
            ApiScope::DocumentsWrite => "documents:write",
            ApiScope::DocumentsRead => "documents:read",
            ApiScope::ApplicantsRead => "applicants:read",
        }
    }

    pub fn parse(text: &str) -> Option<ApiScope> {
        ApiScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == text.trim())
    }
}

impl ApiKey {
    pub fn allows(&self, scope: ApiScope) -> bool {
        self.scopes
            .split_whitespace()
            .any(|granted| granted == scope.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("the key needs a name of 1 to {MAX_NAME_CHARS} characters")]
    InvalidName,
    #[error("the key needs at least one scope")]
    NoScope,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ApiKeyError {
    pub fn code(&self) -> Code {
        match self {
            ApiKeyError::InvalidName => Code::KeyName,
            ApiKeyError::NoScope => Code::KeyScope,
            ApiKeyError::Storage(_) => Code::Unavailable,
        }
    }
}

/// Creates a key with `scopes`, on behalf of `created_by`; the secret is returned once and
/// never stored.
pub async fn create(
    storage: &dyn Storage,
    name: &str,
    scopes: &[ApiScope],
    created_by: Actor,
    now: DateTime<Utc>,
) -> Result<(ApiKey, Secret), ApiKeyError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiKeyError::InvalidName);
    }
    let mut granted: Vec<&str> = Vec::new();
    for scope in ApiScope::ALL {
        if scopes.contains(&scope) {
            granted.push(scope.as_str());
        }
    }
    if granted.is_empty() {
        return Err(ApiKeyError::NoScope);
    }
    let secret = format!("{PREFIX}{}", new_token());
    let key = storage
        .insert_api_key(name, &granted.join(" "), &token_hash(&secret), now)
        .await?;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: created_by.kind,
            actor_id: created_by.id,
            action: "api_key_created",
            target_kind: Some("api_key"),
            target_id: Some(key.id),
            ip_hash: None,
            succeeded: true,
        })
        .await?;
    Ok((key, Secret::new(secret)))
}

/// Revokes a key at once: its next request is refused. False if it was already revoked.
pub async fn revoke(
    storage: &dyn Storage,
    id: Uuid,
    revoked_by: Actor,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let revoked = storage.revoke_api_key(id, now).await?;
    if revoked {
        storage
            .append_audit_event(&NewAuditEvent {
                actor_kind: revoked_by.kind,
                actor_id: revoked_by.id,
                action: "api_key_revoked",
                target_kind: Some("api_key"),
                target_id: Some(id),
                ip_hash: None,
                succeeded: true,
            })
            .await?;
    }
    Ok(revoked)
}

/// The active key an `Authorization` header names, if any.
pub async fn authenticate(
    storage: &dyn Storage,
    authorization: Option<&str>,
) -> Result<Option<ApiKey>, StorageError> {
    let Some(secret) = authorization
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|secret| secret.starts_with(PREFIX) && secret.len() < 100)
    else {
        return Ok(None);
    };
    storage.find_active_api_key(&token_hash(secret)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_grant_only_what_they_name() {
        for scope in ApiScope::ALL {
            assert_eq!(ApiScope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(ApiScope::parse("documents:*"), None);
        let key = ApiKey {
            id: Uuid::new_v4(),
            name: "bo".into(),
            scopes: "applicants:write documents:read".into(),
            created_at: Utc::now(),
            revoked_at: None,
        };
        assert!(key.allows(ApiScope::DocumentsRead));
        assert!(!key.allows(ApiScope::DocumentsWrite));
    }
}
