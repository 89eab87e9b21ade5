//! Keys of the office's back-office systems for the REST API: 256 random bits shown once when
//! created (`espace-usager create-api-key`), stored as SHA-256 only, revocable. A request names
//! its key in `Authorization: Bearer eu_…`.

use chrono::{DateTime, Utc};

use crate::{
    random_token::{new_token, token_hash},
    secret::Secret,
    storage::{ActorKind, ApiKey, NewAuditEvent, Storage, StorageError},
};

const PREFIX: &str = "eu_";

/// Creates a key; the secret is returned once and never stored.
pub async fn create(
    storage: &dyn Storage,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(ApiKey, Secret), StorageError> {
    let secret = format!("{PREFIX}{}", new_token());
    let key = storage
        .insert_api_key(name.trim(), &token_hash(&secret), now)
        .await?;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: ActorKind::System,
            actor_id: None,
            action: "api_key_created",
            target_kind: Some("api_key"),
            target_id: Some(key.id),
            ip_hash: None,
            succeeded: true,
        })
        .await?;
    Ok((key, Secret::new(secret)))
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
