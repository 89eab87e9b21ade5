//! How long things are kept, from the environment:
//!
//! - `EU_RETENTION_CLOSED_ACCOUNT_DAYS` (365 by default, at least 30): days between closing an
//!   account and erasing it.
//! - `EU_RETENTION_DOCUMENT_DAYS`, e.g. `interview_summons=730,interview_cancellation=730`: days
//!   a document of that kind is kept after it was made available (at least 90, so that a notice
//!   outlives its notification and the month to appeal). A kind not named is kept as long as
//!   the account.

use chrono::{DateTime, Duration, Utc};

use crate::{config::ConfigError, documents::DocumentKind};

pub const DEFAULT_CLOSED_ACCOUNT_DAYS: u32 = 365;
/// Time to download what one wants to keep once told the account is closing.
pub const MIN_CLOSED_ACCOUNT_DAYS: u32 = 30;
/// Legal notification comes at most 15 days after posting, and the appeal month after it.
pub const MIN_DOCUMENT_DAYS: u32 = 90;
/// Ten years: a longer setting is more likely a typo than a policy.
const MAX_DAYS: u32 = 3653;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub closed_account_days: u32,
    /// Kinds kept for a set time after being made available; others live as long as the account.
    pub document_days: Vec<(DocumentKind, u32)>,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            closed_account_days: DEFAULT_CLOSED_ACCOUNT_DAYS,
            document_days: Vec::new(),
        }
    }
}

impl RetentionPolicy {
    pub(crate) fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<RetentionPolicy, ConfigError> {
        let closed_account_days = match var("EU_RETENTION_CLOSED_ACCOUNT_DAYS") {
            None => DEFAULT_CLOSED_ACCOUNT_DAYS,
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|days| (MIN_CLOSED_ACCOUNT_DAYS..=MAX_DAYS).contains(days))
                .ok_or_else(|| {
                    ConfigError::new(
                        "EU_RETENTION_CLOSED_ACCOUNT_DAYS",
                        format!(
                            "must be a number of days from {MIN_CLOSED_ACCOUNT_DAYS} to {MAX_DAYS}"
                        ),
                    )
                })?,
        };
        let document_days = match var("EU_RETENTION_DOCUMENT_DAYS") {
            None => Vec::new(),
            Some(text) => parse_document_days(&text)
                .map_err(|problem| ConfigError::new("EU_RETENTION_DOCUMENT_DAYS", problem))?,
        };
        Ok(RetentionPolicy {
            closed_account_days,
            document_days,
        })
    }

    /// When an account closed at `closed_at` is erased.
    pub fn account_erasure_date(&self, closed_at: DateTime<Utc>) -> DateTime<Utc> {
        closed_at + Duration::days(self.closed_account_days.into())
    }

    /// When a document of `kind` made available at `made_available_at` is erased, if its kind
    /// has a retention of its own.
    pub fn document_erasure_date(
        &self,
        kind: DocumentKind,
        made_available_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.document_days
            .iter()
            .find(|(each, _)| *each == kind)
            .map(|(_, days)| made_available_at + Duration::days((*days).into()))
    }
}

fn parse_document_days(text: &str) -> Result<Vec<(DocumentKind, u32)>, String> {
    let mut days_by_kind: Vec<(DocumentKind, u32)> = Vec::new();
    for entry in text
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
    {
        let (code, days) = entry
            .split_once('=')
            .ok_or_else(|| format!("`{entry}` should read kind=days"))?;
        let kind = DocumentKind::from_code(code.trim())
            .ok_or_else(|| format!("`{}` is not a document kind", code.trim()))?;
        let days = days
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|days| (MIN_DOCUMENT_DAYS..=MAX_DAYS).contains(days))
            .ok_or_else(|| {
                format!(
                    "the days for {code} must be a number from {MIN_DOCUMENT_DAYS} to {MAX_DAYS}"
                )
            })?;
        if days_by_kind.iter().any(|(each, _)| *each == kind) {
            return Err(format!("{code} is named twice"));
        }
        days_by_kind.push((kind, days));
    }
    Ok(days_by_kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(pairs: &[(&str, &str)]) -> Result<RetentionPolicy, ConfigError> {
        RetentionPolicy::from_lookup(|name| {
            pairs
                .iter()
                .find(|(each, _)| *each == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn by_default_closed_accounts_go_after_a_year_and_documents_live_with_the_account() {
        assert_eq!(policy(&[]).unwrap(), RetentionPolicy::default());
        let closed = "2026-01-10T10:00:00Z".parse().unwrap();
        assert_eq!(
            RetentionPolicy::default()
                .account_erasure_date(closed)
                .to_rfc3339(),
            "2027-01-10T10:00:00+00:00"
        );
        assert_eq!(
            RetentionPolicy::default().document_erasure_date(DocumentKind::Decision, closed),
            None
        );
    }

    #[test]
    fn kinds_get_their_own_days() {
        let read = policy(&[
            (
                "EU_RETENTION_DOCUMENT_DAYS",
                " interview_summons=730, interview_cancellation = 90 ,",
            ),
            ("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "60"),
        ])
        .unwrap();
        assert_eq!(read.closed_account_days, 60);
        assert_eq!(
            read.document_days,
            vec![
                (DocumentKind::InterviewSummons, 730),
                (DocumentKind::InterviewCancellation, 90)
            ]
        );
        let posted = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            read.document_erasure_date(DocumentKind::InterviewCancellation, posted)
                .map(|date| date.date_naive().to_string()),
            Some("2026-04-01".into())
        );
    }

    #[test]
    fn settings_that_would_erase_too_early_or_make_no_sense_are_refused() {
        for (variable, value) in [
            ("EU_RETENTION_DOCUMENT_DAYS", "decision=30"),
            ("EU_RETENTION_DOCUMENT_DAYS", "decision"),
            ("EU_RETENTION_DOCUMENT_DAYS", "verdict=365"),
            ("EU_RETENTION_DOCUMENT_DAYS", "decision=365,decision=400"),
            ("EU_RETENTION_DOCUMENT_DAYS", "decision=99999"),
            ("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "7"),
            ("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "-1"),
            ("EU_RETENTION_CLOSED_ACCOUNT_DAYS", "a year"),
        ] {
            let error = policy(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{value}");
        }
    }
}
