//! When a document counts as notified (CESEDA art. R. 531-17; R. 531-11 for summons).
//!
//! A document posted in the account is notified on its first opening or, if it is never
//! opened, 15 days after it was made available, whichever comes first. Only the two recorded
//! times go in; the date is derived, never stored, so it can always be re-proved from them.

use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};

/// Days after which an unopened document counts as notified.
pub const DEEMED_NOTIFIED_AFTER_DAYS: i64 = 15;
/// Time to appeal a decision to the CNDA once it is notified (CESEDA art. L. 532-1).
pub const APPEAL_MONTHS: u32 = 1;

/// Which rule fixed the notification date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationRule {
    FirstOpening,
    FifteenDaysAfterMadeAvailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationStatus {
    /// Informational document, or an applicant outside electronic notification: no date here.
    NotApplicable,
    /// Not yet notified; it will be at `deemed_on` at the latest.
    Pending { deemed_on: DateTime<Utc> },
    Notified {
        at: DateTime<Utc>,
        rule: NotificationRule,
    },
    /// Withdrawn before it was notified: it never was.
    WithdrawnBeforeNotification,
}

/// The facts the rule looks at.
#[derive(Debug, Clone, Copy)]
pub struct NotificationFacts {
    pub notifying_kind: bool,
    pub electronic_notification: bool,
    pub made_available_at: DateTime<Utc>,
    pub first_opened_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

pub fn deemed_notified_on(made_available_at: DateTime<Utc>) -> DateTime<Utc> {
    made_available_at + Duration::days(DEEMED_NOTIFIED_AFTER_DAYS)
}

pub fn notification_status(facts: NotificationFacts, now: DateTime<Utc>) -> NotificationStatus {
    if !facts.notifying_kind || !facts.electronic_notification {
        return NotificationStatus::NotApplicable;
    }
    let deadline = deemed_notified_on(facts.made_available_at);
    let notified = match facts.first_opened_at {
        Some(opened) if opened < deadline => Some((opened, NotificationRule::FirstOpening)),
        _ if now >= deadline => Some((deadline, NotificationRule::FifteenDaysAfterMadeAvailable)),
        _ => None,
    };
    match (notified, facts.withdrawn_at) {
        (Some((at, _)), Some(withdrawn)) if withdrawn <= at => {
            NotificationStatus::WithdrawnBeforeNotification
        }
        (Some((at, rule)), _) => NotificationStatus::Notified { at, rule },
        (None, Some(_)) => NotificationStatus::WithdrawnBeforeNotification,
        (None, None) => NotificationStatus::Pending {
            deemed_on: deadline,
        },
    }
}

/// Days an applicant needs between learning of an interview and attending it (travel, an
/// interpreter, a lawyer): an interview sooner than this after the deemed date is at risk.
pub const INTERVIEW_NOTICE_DAYS: i64 = 5;

/// A summons still pending whose interview comes before its deemed notification date, or
/// within `INTERVIEW_NOTICE_DAYS` of it: if the applicant does not open it, the law counts
/// them notified too late to attend. The deemed date, to say so (a warning, not a refusal:
/// staff may have phoned the person).
pub fn interview_at_risk(
    status: NotificationStatus,
    interview: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let NotificationStatus::Pending { deemed_on } = status else {
        return None;
    };
    let interview = interview.filter(|at| *at > now)?;
    (interview < deemed_on + Duration::days(INTERVIEW_NOTICE_DAYS)).then_some(deemed_on)
}

/// Last day to appeal, for a document notified at `notified_at`.
pub fn appeal_deadline(notified_at: DateTime<Utc>) -> DateTime<Utc> {
    notified_at
        .checked_add_months(Months::new(APPEAL_MONTHS))
        .unwrap_or(notified_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn facts(first_opened_at: Option<&str>) -> NotificationFacts {
        NotificationFacts {
            notifying_kind: true,
            electronic_notification: true,
            made_available_at: at("2026-03-01T10:00:00Z"),
            first_opened_at: first_opened_at.map(at),
            withdrawn_at: None,
        }
    }

    #[test]
    fn first_opening_notifies() {
        let status = notification_status(
            facts(Some("2026-03-03T08:30:00Z")),
            at("2026-03-04T00:00:00Z"),
        );
        assert_eq!(
            status,
            NotificationStatus::Notified {
                at: at("2026-03-03T08:30:00Z"),
                rule: NotificationRule::FirstOpening
            }
        );
    }

    #[test]
    fn unopened_documents_are_pending_then_notified_after_fifteen_days() {
        assert_eq!(
            notification_status(facts(None), at("2026-03-16T09:59:59Z")),
            NotificationStatus::Pending {
                deemed_on: at("2026-03-16T10:00:00Z")
            }
        );
        assert_eq!(
            notification_status(facts(None), at("2026-03-16T10:00:00Z")),
            NotificationStatus::Notified {
                at: at("2026-03-16T10:00:00Z"),
                rule: NotificationRule::FifteenDaysAfterMadeAvailable
            }
        );
    }

    #[test]
    fn opening_after_the_fifteen_days_does_not_move_the_date() {
        let status = notification_status(
            facts(Some("2026-04-01T00:00:00Z")),
            at("2026-04-02T00:00:00Z"),
        );
        assert_eq!(
            status,
            NotificationStatus::Notified {
                at: at("2026-03-16T10:00:00Z"),
                rule: NotificationRule::FifteenDaysAfterMadeAvailable
            }
        );
    }

    #[test]
    fn informational_documents_and_paper_applicants_get_no_date() {
        let now = at("2026-06-01T00:00:00Z");
        let informational = NotificationFacts {
            notifying_kind: false,
            ..facts(None)
        };
        let on_paper = NotificationFacts {
            electronic_notification: false,
            ..facts(None)
        };
        assert_eq!(
            notification_status(informational, now),
            NotificationStatus::NotApplicable
        );
        assert_eq!(
            notification_status(on_paper, now),
            NotificationStatus::NotApplicable
        );
    }

    #[test]
    fn withdrawal_stops_a_pending_notification_but_not_a_past_one() {
        let withdrawn_early = NotificationFacts {
            withdrawn_at: Some(at("2026-03-02T00:00:00Z")),
            ..facts(None)
        };
        assert_eq!(
            notification_status(withdrawn_early, at("2026-05-01T00:00:00Z")),
            NotificationStatus::WithdrawnBeforeNotification
        );
        let withdrawn_after_opening = NotificationFacts {
            withdrawn_at: Some(at("2026-03-05T00:00:00Z")),
            ..facts(Some("2026-03-02T00:00:00Z"))
        };
        assert!(matches!(
            notification_status(withdrawn_after_opening, at("2026-05-01T00:00:00Z")),
            NotificationStatus::Notified {
                rule: NotificationRule::FirstOpening,
                ..
            }
        ));
    }

    #[test]
    fn the_appeal_deadline_is_one_calendar_month_later() {
        assert_eq!(
            appeal_deadline(at("2026-01-31T12:00:00Z")),
            at("2026-02-28T12:00:00Z")
        );
        assert_eq!(
            appeal_deadline(at("2026-03-16T10:00:00Z")),
            at("2026-04-16T10:00:00Z")
        );
    }

    #[test]
    fn an_interview_before_or_just_after_the_deemed_date_is_at_risk() {
        // Posted on 7 December: deemed notified on 22 December if never opened.
        let posted = at("2026-12-07T10:00:00Z");
        let now = at("2026-12-07T10:00:01Z");
        let pending = NotificationStatus::Pending {
            deemed_on: deemed_notified_on(posted),
        };
        let deemed = Some(at("2026-12-22T10:00:00Z"));
        // The case found in the trial: an interview on the 20th.
        assert_eq!(
            interview_at_risk(pending, Some(at("2026-12-20T08:30:00Z")), now),
            deemed
        );
        assert_eq!(
            interview_at_risk(pending, Some(at("2026-12-26T08:30:00Z")), now),
            deemed
        );
        assert_eq!(
            interview_at_risk(pending, Some(at("2026-12-28T08:30:00Z")), now),
            None
        );
        // Opened, or past, or no interview: nothing to warn about.
        let opened = NotificationStatus::Notified {
            at: now,
            rule: NotificationRule::FirstOpening,
        };
        assert_eq!(
            interview_at_risk(opened, Some(at("2026-12-20T08:30:00Z")), now),
            None
        );
        assert_eq!(interview_at_risk(pending, None, now), None);
        assert_eq!(
            interview_at_risk(pending, Some(at("2026-12-01T08:30:00Z")), now),
            None
        );
    }
}
