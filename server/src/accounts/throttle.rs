//! Brute-force protection for sign-in, activation, one-time codes and password reset.
//!
//! Each protected thing (an identifier as typed, a client address, an account's codes) has a
//! row in the database, so limits hold across every app server. An attempt is counted *before*
//! the password or code is checked: a burst of parallel guesses cannot slip through between a
//! read and a write. A success clears the count. After a few free failures each attempt waits
//! twice as long as the one before, up to a ceiling. Only one-time codes lock (past their
//! threshold, staff let attempts in again); an identifier never does, or anyone who knows a
//! foreigner number or a staff email could keep its owner out for good.
//!
//! Throttles are keyed on what was typed, not on whether an account exists, so an unknown
//! identifier is slowed exactly like a known one. Following OWASP's device cookies, a browser
//! that signed in to the account before is counted on its own (`PER_KNOWN_DEVICE`): failures
//! from elsewhere never slow it.

use chrono::{DateTime, Duration, Utc};

use crate::storage::{Storage, StorageError, ThrottleRecord};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed without any wait.
    pub free_failures: i64,
    /// The first wait, doubled at each failure after.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Failures after which only staff can unlock; `None` for client addresses (a reception
    /// centre's shared connection must not lock everyone out).
    pub lock_after: Option<i64>,
    /// Failures older than this are forgotten (unless locked).
    pub window: Duration,
}

/// For one identifier as typed (sign-in, activation, reset), from browsers not known to the
/// account: waits grow to 15 minutes and stay there, so a stranger's guesses cost the owner at
/// most a quarter of an hour, never the account (about a hundred guesses a day get through to
/// Argon2, against a password policy that refuses common passwords).
pub const PER_IDENTIFIER: ThrottlePolicy = ThrottlePolicy {
    free_failures: 3,
    base_delay: Duration::seconds(2),
    max_delay: Duration::minutes(15),
    lock_after: None,
    window: Duration::hours(24),
};

/// For one known browser of one account (a device cookie): its owner's typos, and the guesses
/// of whoever holds that browser, counted apart from everyone else's.
pub const PER_KNOWN_DEVICE: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    base_delay: Duration::seconds(2),
    max_delay: Duration::minutes(15),
    lock_after: None,
    window: Duration::hours(24),
};

/// For one client address, across identifiers: generous, since many applicants may share one.
pub const PER_CLIENT_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    free_failures: 100,
    base_delay: Duration::seconds(1),
    max_delay: Duration::minutes(15),
    lock_after: None,
    window: Duration::minutes(15),
};

/// For the one-time codes of one account.
pub const PER_CODE_SUBJECT: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    base_delay: Duration::seconds(5),
    max_delay: Duration::minutes(15),
    lock_after: Some(20),
    window: Duration::hours(24),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("too many attempts; wait until {0}")]
    RetryAt(DateTime<Utc>),
    #[error("too many attempts; locked until staff lift it")]
    Locked,
}

#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether an attempt may be looked at now, given the stored record.
pub fn admission(
    record: Option<&ThrottleRecord>,
    policy: &ThrottlePolicy,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let Some(record) = record else {
        return Ok(());
    };
    // A lock counts only where the policy locks: rows locked under an older policy (identifiers
    // once locked after ten failures) are bounded waits now.
    if record.locked_at.is_some() && policy.lock_after.is_some() {
        return Err(Refusal::Locked);
    }
    if record.window_started_at + policy.window <= now {
        return Ok(());
    }
    // Free failures never make anyone wait, even seen from an instance whose clock is a little
    // behind the one that counted them.
    if record.failures > policy.free_failures && record.next_attempt_at > now {
        return Err(Refusal::RetryAt(record.next_attempt_at));
    }
    Ok(())
}

/// The record after one more failure at `now`.
pub fn after_failure(
    record: Option<&ThrottleRecord>,
    policy: &ThrottlePolicy,
    now: DateTime<Utc>,
) -> ThrottleRecord {
    let (failures, window_started_at) = match record {
        Some(record) if record.window_started_at + policy.window > now => {
            (record.failures + 1, record.window_started_at)
        }
        _ => (1, now),
    };
    let over = failures - policy.free_failures;
    let next_attempt_at = if over > 0 {
        // 2^(over-1) times the base delay; the exponent is capped before it can overflow.
        let factor = 1i32 << (over - 1).min(20);
        now + (policy.base_delay * factor).min(policy.max_delay)
    } else {
        now
    };
    let locked_at = match (record.and_then(|r| r.locked_at), policy.lock_after) {
        (Some(locked_at), _) => Some(locked_at),
        (None, Some(limit)) if failures >= limit => Some(now),
        _ => None,
    };
    ThrottleRecord {
        failures,
        window_started_at,
        next_attempt_at,
        locked_at,
    }
}

/// Admits one attempt and counts it as a failure until `succeeded` clears it. Refused attempts
/// are not counted (a locked-out user cannot make things worse by retrying).
pub async fn admit(
    storage: &dyn Storage,
    key: &str,
    policy: &ThrottlePolicy,
    now: DateTime<Utc>,
) -> Result<(), ThrottleError> {
    // A lost compare-and-set means another request counted at the same moment: read again.
    for _ in 0..5 {
        let record = storage.load_throttle(key).await?;
        admission(record.as_ref(), policy, now)?;
        let next = after_failure(record.as_ref(), policy, now);
        if storage.save_throttle(key, record.as_ref(), &next).await? {
            return Ok(());
        }
    }
    Err(Refusal::RetryAt(now + policy.base_delay).into())
}

/// Clears the count after a success.
pub async fn succeeded(storage: &dyn Storage, key: &str) -> Result<(), StorageError> {
    storage.clear_throttle(key).await.map(|_| ())
}

/// Takes back the one failure `admit` counted for an attempt that succeeded, without clearing
/// the rest: for counts shared by many people (a client address), where one person's success
/// must not wipe out the failures of someone guessing beside them.
pub async fn forgive_one(storage: &dyn Storage, key: &str) -> Result<(), StorageError> {
    for _ in 0..5 {
        let Some(record) = storage.load_throttle(key).await? else {
            return Ok(());
        };
        if record.failures == 0 {
            return Ok(());
        }
        let forgiven = ThrottleRecord {
            failures: record.failures - 1,
            ..record.clone()
        };
        if storage.save_throttle(key, Some(&record), &forgiven).await? {
            return Ok(());
        }
    }
    // Contended: leaving one failure counted is the safe side.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn a_strangers_failures_on_an_identifier_never_lock_it() {
        let mut record: Option<ThrottleRecord> = None;
        let mut now = at(0);
        for _ in 0..200 {
            assert_eq!(admission(record.as_ref(), &PER_IDENTIFIER, now), Ok(()));
            let next = after_failure(record.as_ref(), &PER_IDENTIFIER, now);
            assert!(next.next_attempt_at - now <= Duration::minutes(15));
            now = next.next_attempt_at;
            record = Some(next);
        }
        let record = record.unwrap();
        assert_eq!(record.locked_at, None);
        // The owner waits at most the ceiling, then gets in.
        assert_eq!(
            admission(Some(&record), &PER_IDENTIFIER, now + Duration::minutes(15)),
            Ok(())
        );
        // A row locked under the old policy is a bounded wait too.
        let old_lock = ThrottleRecord {
            locked_at: Some(at(0)),
            ..record
        };
        assert_eq!(
            admission(
                Some(&old_lock),
                &PER_IDENTIFIER,
                now + Duration::minutes(15)
            ),
            Ok(())
        );
    }

    #[test]
    fn free_failures_then_doubling_waits_then_a_lock() {
        let policy = PER_CODE_SUBJECT;
        let mut record: Option<ThrottleRecord> = None;
        let mut waits = Vec::new();
        for _ in 0..10 {
            let now = record.as_ref().map_or(at(0), |r| r.next_attempt_at);
            assert_eq!(admission(record.as_ref(), &policy, now), Ok(()));
            let next = after_failure(record.as_ref(), &policy, now);
            waits.push((next.next_attempt_at - now).num_seconds());
            record = Some(next);
        }
        assert_eq!(waits, [0, 0, 0, 0, 0, 5, 10, 20, 40, 80]);
        for _ in 10..20 {
            let now = record.as_ref().unwrap().next_attempt_at;
            record = Some(after_failure(record.as_ref(), &policy, now));
        }
        let record = record.unwrap();
        assert!(record.locked_at.is_some());
        let much_later = record.next_attempt_at + Duration::days(30);
        assert_eq!(
            admission(Some(&record), &policy, much_later),
            Err(Refusal::Locked)
        );
    }

    #[test]
    fn an_early_attempt_is_told_when_to_come_back() {
        let mut record = None;
        for _ in 0..4 {
            record = Some(after_failure(record.as_ref(), &PER_IDENTIFIER, at(0)));
        }
        assert_eq!(
            admission(record.as_ref(), &PER_IDENTIFIER, at(1)),
            Err(Refusal::RetryAt(at(2)))
        );
        assert_eq!(admission(record.as_ref(), &PER_IDENTIFIER, at(2)), Ok(()));
    }

    #[test]
    fn waits_are_capped_and_old_failures_forgotten() {
        let mut record = None;
        for _ in 0..60 {
            record = Some(after_failure(record.as_ref(), &PER_CLIENT_ADDRESS, at(0)));
        }
        for _ in 0..60 {
            record = Some(after_failure(record.as_ref(), &PER_CLIENT_ADDRESS, at(0)));
        }
        let record = record.unwrap();
        assert_eq!(record.next_attempt_at, at(0) + Duration::minutes(15));
        assert_eq!(record.locked_at, None, "addresses are never locked");
        let after_window = at(0) + Duration::minutes(15);
        assert_eq!(
            admission(Some(&record), &PER_CLIENT_ADDRESS, after_window),
            Ok(())
        );
        let fresh = after_failure(Some(&record), &PER_CLIENT_ADDRESS, after_window);
        assert_eq!(fresh.failures, 1);
    }
}
