//! What a notice says, kept as data beside its PDF: a decision's outcome, an interview's date,
//! time and place. The inbox says them in the applicant's language, so the PDF (in French, and
//! hard to read on a cheap phone) is never the only way to learn them. Staff and the back-office
//! give them when they post a decision or a summons; a replacement keeps those of the document
//! it replaces unless new ones are given.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DocumentKind;

const MAX_PLACE_CHARS: usize = 200;

/// What the office decided on the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    RefugeeStatus,
    SubsidiaryProtection,
    Statelessness,
    Rejection,
    Inadmissibility,
    Closure,
}

impl DecisionOutcome {
    pub const ALL: [DecisionOutcome; 6] = [
        DecisionOutcome::RefugeeStatus,
        DecisionOutcome::SubsidiaryProtection,
        DecisionOutcome::Statelessness,
        DecisionOutcome::Rejection,
        DecisionOutcome::Inadmissibility,
        DecisionOutcome::Closure,
    ];

    /// The stable code: stored, sent over the API, and the key of its translated name
    /// (`decision_outcome_<code>`).
    pub fn code(self) -> &'static str {
        match self {
            DecisionOutcome::RefugeeStatus => "refugee_status",
            DecisionOutcome::SubsidiaryProtection => "subsidiary_protection",
            DecisionOutcome::Statelessness => "statelessness",
            DecisionOutcome::Rejection => "rejection",
            DecisionOutcome::Inadmissibility => "inadmissibility",
            DecisionOutcome::Closure => "closure",
        }
    }

    pub fn from_code(code: &str) -> Option<DecisionOutcome> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.code() == code.trim())
    }
}

/// The essential facts of one document; which ones a kind needs is `NoticeFacts::check`'s rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_outcome: Option<DecisionOutcome>,
    /// When the interview starts (shown in the office's time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_at: Option<DateTime<Utc>>,
    /// Where, as staff wrote it (an address is not translated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_place: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("a decision needs its outcome")]
    MissingOutcome,
    #[error("an interview summons needs the interview's date and time")]
    MissingAppointment,
    #[error("an interview summons needs the place, in at most 200 characters on one line")]
    InvalidPlace,
    #[error("these facts do not belong to this kind of document")]
    NotForThisKind,
}

impl FactsError {
    /// The refusal's code for forms and the API, which word it in the reader's language.
    pub fn code(self) -> refusal::Code {
        match self {
            FactsError::MissingOutcome => refusal::Code::Outcome,
            FactsError::MissingAppointment => refusal::Code::Appointment,
            FactsError::InvalidPlace => refusal::Code::Place,
            FactsError::NotForThisKind => refusal::Code::FactsKind,
        }
    }
}

/// A form's field as `NoticeFacts::read` takes it: one left blank was not given.
pub fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|text| !text.trim().is_empty())
}

/// A time as the API and the bulk manifest write it: RFC 3339, with its offset.
pub fn rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|at| at.to_utc())
}

impl NoticeFacts {
    /// The facts as a form, an API call or a manifest entry write them: an outcome's code and a
    /// time that `read_time` reads. An unknown outcome or an unreadable time is named as the
    /// missing one. (Whether the kind needs them is `check`'s business.)
    pub fn read(
        outcome: Option<&str>,
        appointment_at: Option<&str>,
        appointment_place: Option<String>,
        read_time: impl Fn(&str) -> Option<DateTime<Utc>>,
    ) -> Result<NoticeFacts, FactsError> {
        let decision_outcome = outcome
            .map(|code| DecisionOutcome::from_code(code).ok_or(FactsError::MissingOutcome))
            .transpose()?;
        let appointment_at = appointment_at
            .map(|text| read_time(text).ok_or(FactsError::MissingAppointment))
            .transpose()?;
        Ok(NoticeFacts {
            decision_outcome,
            appointment_at,
            appointment_place,
        })
    }

    pub fn is_empty(&self) -> bool {
        self == &NoticeFacts::default()
    }

    /// The facts `kind` needs, present and clean: a decision's outcome; a summons' date, time
    /// and place. Facts given for another kind are refused rather than kept unseen.
    pub fn check(self, kind: DocumentKind) -> Result<NoticeFacts, FactsError> {
        let place = self.appointment_place.as_deref().map(str::trim);
        match kind {
            DocumentKind::Decision => {
                if self.appointment_at.is_some() || place.is_some_and(|p| !p.is_empty()) {
                    return Err(FactsError::NotForThisKind);
                }
                let outcome = self.decision_outcome.ok_or(FactsError::MissingOutcome)?;
                Ok(NoticeFacts {
                    decision_outcome: Some(outcome),
                    ..NoticeFacts::default()
                })
            }
            DocumentKind::InterviewSummons => {
                if self.decision_outcome.is_some() {
                    return Err(FactsError::NotForThisKind);
                }
                let at = self.appointment_at.ok_or(FactsError::MissingAppointment)?;
                let place = place
                    .filter(|place| {
                        (1..=MAX_PLACE_CHARS).contains(&place.chars().count())
                            && !place.chars().any(char::is_control)
                    })
                    .ok_or(FactsError::InvalidPlace)?;
                Ok(NoticeFacts {
                    appointment_at: Some(at),
                    appointment_place: Some(place.to_owned()),
                    ..NoticeFacts::default()
                })
            }
            _ if self.decision_outcome.is_some()
                || self.appointment_at.is_some()
                || place.is_some_and(|p| !p.is_empty()) =>
            {
                Err(FactsError::NotForThisKind)
            }
            _ => Ok(NoticeFacts::default()),
        }
    }

    /// As stored in the document's row: JSON, or nothing for a kind without facts.
    pub fn to_column(&self) -> Option<String> {
        (!self.is_empty()).then(|| serde_json::to_string(self).unwrap_or_default())
    }

    pub fn from_column(column: Option<&str>) -> Option<NoticeFacts> {
        match column {
            None => Some(NoticeFacts::default()),
            Some(json) => serde_json::from_str(json).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_decision_needs_its_outcome_and_nothing_else() {
        let decided = NoticeFacts {
            decision_outcome: Some(DecisionOutcome::SubsidiaryProtection),
            ..NoticeFacts::default()
        };
        assert_eq!(decided.clone().check(DocumentKind::Decision), Ok(decided));
        assert_eq!(
            NoticeFacts::default().check(DocumentKind::Decision),
            Err(FactsError::MissingOutcome)
        );
        let with_a_date = NoticeFacts {
            decision_outcome: Some(DecisionOutcome::Rejection),
            appointment_at: Some(at("2027-01-09T08:30:00Z")),
            ..NoticeFacts::default()
        };
        assert_eq!(
            with_a_date.check(DocumentKind::Decision),
            Err(FactsError::NotForThisKind)
        );
    }

    #[test]
    fn a_summons_needs_date_time_and_a_one_line_place() {
        let summons = |place: &str| NoticeFacts {
            appointment_at: Some(at("2027-01-09T08:30:00Z")),
            appointment_place: Some(place.to_owned()),
            ..NoticeFacts::default()
        };
        assert_eq!(
            summons("  201 rue Carnot, Fontenay-sous-Bois ").check(DocumentKind::InterviewSummons),
            Ok(summons("201 rue Carnot, Fontenay-sous-Bois"))
        );
        for bad in ["", "   ", "two\nlines", &"x".repeat(201)] {
            assert_eq!(
                summons(bad).check(DocumentKind::InterviewSummons),
                Err(FactsError::InvalidPlace),
                "{bad:?}"
            );
        }
        let undated = NoticeFacts {
            appointment_place: Some("Fontenay-sous-Bois".into()),
            ..NoticeFacts::default()
        };
        assert_eq!(
            undated.check(DocumentKind::InterviewSummons),
            Err(FactsError::MissingAppointment)
        );
    }

    #[test]
    fn other_kinds_take_no_facts() {
        assert_eq!(
            NoticeFacts::default().check(DocumentKind::InterviewTranscript),
            Ok(NoticeFacts::default())
        );
        let outcome = NoticeFacts {
            decision_outcome: Some(DecisionOutcome::Closure),
            ..NoticeFacts::default()
        };
        assert_eq!(
            outcome.check(DocumentKind::RegistrationLetter),
            Err(FactsError::NotForThisKind)
        );
    }

    #[test]
    fn facts_round_trip_through_their_column() {
        let facts = NoticeFacts {
            appointment_at: Some(at("2027-01-09T08:30:00Z")),
            appointment_place: Some("Fontenay-sous-Bois".into()),
            ..NoticeFacts::default()
        };
        let column = facts.to_column();
        assert_eq!(NoticeFacts::from_column(column.as_deref()), Some(facts));
        assert_eq!(NoticeFacts::default().to_column(), None);
        assert_eq!(NoticeFacts::from_column(None), Some(NoticeFacts::default()));
        assert_eq!(NoticeFacts::from_column(Some("not json")), None);
        for outcome in DecisionOutcome::ALL {
            assert_eq!(DecisionOutcome::from_code(outcome.code()), Some(outcome));
        }
    }
}
