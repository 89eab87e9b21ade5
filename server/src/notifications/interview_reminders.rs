//! A missed interview can end an application: every summons in an account gets a reminder on
//! every channel the evening before and on the morning of the interview, whether or not it was
//! opened. Content-free by default (a shared phone must not reveal an asylum interview); with
//! the date and time if the applicant asked for it. A withdrawn summons cancels its reminders
//! (`document_records::mark_withdrawn`).

use chrono::{DateTime, Duration, Utc};

use crate::{
    Services,
    documents::office_time::{from_office_time, in_office_time},
    storage::StorageError,
};

/// The reasons of the two reminders in the outbox.
pub const EVE: &str = "interview_eve";
pub const MORNING: &str = "interview_morning";

/// How far ahead the job looks: beyond the evening before any interview.
const LOOK_AHEAD: Duration = Duration::hours(40);
/// Interviews handled per pass at most (a pass runs every minute).
const PER_PASS: i64 = 2_000;

/// Which reminder: the day before, or the day of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterviewDay {
    Tomorrow,
    Today,
}

impl InterviewDay {
    pub fn of_reason(reason: &str) -> Option<InterviewDay> {
        match reason {
            EVE => Some(InterviewDay::Tomorrow),
            MORNING => Some(InterviewDay::Today),
            _ => None,
        }
    }
}

/// What an interview reminder may say: `at` only for an applicant who asked for details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterviewAlert {
    pub day: InterviewDay,
    pub at: Option<DateTime<Utc>>,
}

impl InterviewAlert {
    /// The details go only where the applicant proved the address or number is theirs: a
    /// contact given at registration may have been mistyped.
    pub fn to_verified(self, verified: bool) -> InterviewAlert {
        InterviewAlert {
            at: self.at.filter(|_| verified),
            ..self
        }
    }
}

/// When each reminder is due, in the office's time: 18:00 the evening before, and 07:00 on the
/// day (two hours before an interview that starts earlier than 09:00).
pub fn due_times(interview: DateTime<Utc>) -> [(&'static str, Option<DateTime<Utc>>); 2] {
    let day = in_office_time(interview).date_naive();
    let at = |date: chrono::NaiveDate, time: &str| from_office_time(&format!("{date}T{time}"));
    let eve = day.pred_opt().and_then(|before| at(before, "18:00"));
    let morning = at(day, "07:00").map(|seven| seven.min(interview - Duration::hours(2)));
    [(EVE, eve), (MORNING, morning)]
}

/// Whether `reason`, due at `due`, is to be sent now for an interview at `interview`: due, and
/// the evening one not once the interview's day has begun. A summons posted after its reminder
/// was due still gets it: the new-document alert is content-free, the reminder is what says
/// that an appointment is near.
fn send_now(
    reason: &str,
    due: DateTime<Utc>,
    interview: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    let same_day = in_office_time(now).date_naive() == in_office_time(interview).date_naive();
    due <= now && !(reason == EVE && same_day)
}

/// Queues the interview reminders now due. Idempotent (one per document and reason) and safe
/// on several instances. Returns the rows queued.
#[tracing::instrument(skip_all)]
pub async fn queue_interview_reminders(services: &Services) -> Result<u64, StorageError> {
    let now = services.clock.now();
    let storage = services.storage.as_ref();
    let mut queued = 0;
    for interview in storage
        .upcoming_interviews(now, now + LOOK_AHEAD, PER_PASS)
        .await?
    {
        for (reason, due) in due_times(interview.appointment_at) {
            let Some(due) = due else { continue };
            if reason == EVE && interview.eve_queued {
                continue;
            }
            if send_now(reason, due, interview.appointment_at, now) {
                queued += storage
                    .queue_document_alert(
                        interview.applicant_id,
                        interview.document_id,
                        reason,
                        now,
                    )
                    .await?;
            }
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_evening_before_at_six_and_the_morning_at_seven_office_time() {
        // 09:30 in Paris in winter (UTC+1).
        let [(eve, eve_at), (morning, morning_at)] = due_times(utc("2027-01-09T08:30:00Z"));
        assert_eq!((eve, eve_at), (EVE, Some(utc("2027-01-08T17:00:00Z"))));
        assert_eq!(
            (morning, morning_at),
            (MORNING, Some(utc("2027-01-09T06:00:00Z")))
        );
        // Summer time (UTC+2), and an interview at 08:00: two hours before.
        let [(_, eve_at), (_, morning_at)] = due_times(utc("2027-07-01T06:00:00Z"));
        assert_eq!(eve_at, Some(utc("2027-06-30T16:00:00Z")));
        assert_eq!(morning_at, Some(utc("2027-07-01T04:00:00Z")));
    }

    #[test]
    fn reminders_are_sent_once_due_and_the_evening_one_not_on_the_day() {
        let interview = utc("2027-01-09T08:30:00Z");
        let eve = utc("2027-01-08T17:00:00Z");
        assert!(!send_now(EVE, eve, interview, utc("2027-01-08T16:59:00Z")));
        assert!(send_now(EVE, eve, interview, utc("2027-01-08T17:00:00Z")));
        // The portal was down all evening (or the summons came late): still before midnight...
        assert!(send_now(EVE, eve, interview, utc("2027-01-08T22:50:00Z")));
        // ...but not on the day itself, when the morning one says it.
        assert!(!send_now(EVE, eve, interview, utc("2027-01-08T23:10:00Z")));
        let morning = utc("2027-01-09T06:00:00Z");
        assert!(!send_now(
            MORNING,
            morning,
            interview,
            utc("2027-01-09T05:59:00Z")
        ));
        assert!(send_now(
            MORNING,
            morning,
            interview,
            utc("2027-01-09T06:00:00Z")
        ));
    }
}
