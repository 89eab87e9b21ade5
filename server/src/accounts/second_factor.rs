//! The second step of an applicant's sign-in: a code sent to the verified email (or by SMS to
//! the verified phone when there is no email) on a new device. A device can be remembered for 30 days (a random token in a cookie, stored hashed),
//! unless the applicant said the phone is shared.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    accounts::contact::ContactPoint,
    random_token::{new_token, token_hash},
    secret::Secret,
    storage::{Applicant, Storage, StorageError},
};

pub const REMEMBER_DEVICE_FOR: Duration = Duration::days(30);

/// What happens after the password was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// No verified address yet (the account was just activated): straight in, and the
    /// applicant is asked to add one before anything else.
    AddContact,
    /// A device remembered after an earlier code: straight in.
    RememberedDevice,
    /// A code must be sent to this verified address or phone.
    SendCode { to: ContactPoint },
}

pub async fn next_step(
    storage: &dyn Storage,
    applicant: &Applicant,
    device_token: Option<&str>,
    shared_device: bool,
    now: DateTime<Utc>,
) -> Result<NextStep, StorageError> {
    let Some(to) = ContactPoint::for_codes(applicant) else {
        return Ok(NextStep::AddContact);
    };
    if let (Some(token), false) = (device_token, shared_device)
        && storage
            .is_device_remembered(applicant.id, &token_hash(token), now)
            .await?
    {
        return Ok(NextStep::RememberedDevice);
    }
    Ok(NextStep::SendCode { to })
}

/// Remembers this device; the returned token goes in a cookie and is never stored in clear.
pub async fn remember_device(
    storage: &dyn Storage,
    applicant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Secret, StorageError> {
    let token = new_token();
    storage
        .remember_device(
            applicant_id,
            &token_hash(&token),
            now,
            now + REMEMBER_DEVICE_FOR,
        )
        .await?;
    Ok(Secret::new(token))
}
