//! Browsers an account has signed in on before: OWASP's "device cookies". A stranger who knows
//! a foreigner number or a staff email can fail as often as they like; that slows every browser
//! *not* known to the account (`throttle::PER_IDENTIFIER`), never the owner's own phone, which
//! shows its cookie and is counted apart (`throttle::PER_KNOWN_DEVICE`).
//!
//! The cookie is a signed token (audience of its own, 180 days) naming the account and a random
//! device id. It proves only that this browser completed a sign-in to that account once: the
//! password (and second factor) are asked as before. It is not set on a shared phone.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::session_token::{Audience, SessionTokens};

/// A browser that completed a sign-in to `account` before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownDevice {
    pub account: Uuid,
    pub device: Uuid,
}

impl KnownDevice {
    /// The cookie's value for a browser that has just signed in to `account`.
    pub fn issue(
        tokens: &SessionTokens<'_>,
        audience: Audience,
        account: Uuid,
        now: DateTime<Utc>,
    ) -> String {
        tokens.issue(audience, account, Uuid::new_v4(), now)
    }

    /// What a cookie says, if we signed it for this audience and it has not expired.
    pub fn read(
        tokens: &SessionTokens<'_>,
        audience: Audience,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        let claims = tokens.verify(token, audience, now).ok()?;
        Some(KnownDevice {
            account: claims.sub,
            device: claims.sid,
        })
    }

    /// The device id to count attempts under, when this browser is known to the account the
    /// identifier names (`None` for another account, or an identifier with no account).
    pub fn for_account(known: Option<KnownDevice>, account: Option<Uuid>) -> Option<Uuid> {
        known
            .filter(|known| Some(known.account) == account)
            .map(|known| known.device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing_keys::SigningKeys;

    #[test]
    fn a_cookie_counts_only_for_its_own_account_and_side() {
        let folder = tempfile::tempdir().unwrap();
        let keys = SigningKeys::load_or_create(folder.path()).unwrap();
        let tokens = SessionTokens::new(&keys, "https://portal.example");
        let (owner, other) = (Uuid::new_v4(), Uuid::new_v4());
        let now = Utc::now();
        let token = KnownDevice::issue(&tokens, Audience::KnownApplicantDevice, owner, now);
        let known = KnownDevice::read(&tokens, Audience::KnownApplicantDevice, &token, now);
        assert_eq!(known.map(|known| known.account), Some(owner));
        assert!(KnownDevice::for_account(known, Some(owner)).is_some());
        assert_eq!(KnownDevice::for_account(known, Some(other)), None);
        assert_eq!(KnownDevice::for_account(known, None), None);
        assert_eq!(
            KnownDevice::read(&tokens, Audience::KnownStaffDevice, &token, now),
            None
        );
        assert_eq!(
            KnownDevice::read(&tokens, Audience::Applicant, &token, now),
            None
        );
        assert_eq!(
            KnownDevice::read(&tokens, Audience::KnownApplicantDevice, "forged", now),
            None
        );
    }
}
