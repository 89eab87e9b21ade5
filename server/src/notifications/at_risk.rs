//! Who may miss a letter: the notifying documents still unopened, soonest deemed date first,
//! with every channel tried and what it answered, so that an agent can phone the person before
//! the law counts them notified. Summonses whose interview comes before (or just after) that
//! date are listed first: those are the ones that end applications.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    documents::{
        DOCUMENT_KINDS, DocumentKind,
        legal_notification::{
            DEEMED_NOTIFIED_AFTER_DAYS, INTERVIEW_NOTICE_DAYS, NotificationStatus,
            deemed_notified_on, interview_at_risk,
        },
    },
    storage::{NotificationRecord, Storage, StorageError, UnopenedDocument, UnopenedFilter},
};

/// Rows a page shows.
pub const PAGE_SIZE: i64 = 50;
/// Unopened summonses read at most for the interviews at risk, above the page: those of the
/// next 20 days posted in the last 15, a few hundred at national scale (most summonses are
/// posted weeks ahead and opened).
const INTERVIEWS_AT_MOST: i64 = 1_000;

/// What the agent asked for: one kind or every notifying kind, at most so many days left
/// before the deemed date, and the page after a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AtRiskQuery {
    pub kind: Option<DocumentKind>,
    pub days_left: Option<i64>,
    pub after: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AtRiskEntry {
    pub document: UnopenedDocument,
    pub deemed_on: DateTime<Utc>,
    /// The interview comes before the applicant counts as told (`interview_at_risk`).
    pub interview_at_risk: bool,
    /// Every message about it, oldest first: staff see each channel's answer.
    pub deliveries: Vec<NotificationRecord>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AtRiskPage {
    /// On the first page only.
    pub interviews: Vec<AtRiskEntry>,
    pub documents: Vec<AtRiskEntry>,
    /// The last document of a full page: where the next one starts.
    pub next: Option<Uuid>,
}

/// The kinds whose posting is a legal notification, as the filter narrows them.
pub(crate) fn kinds(filter: Option<DocumentKind>) -> Vec<&'static str> {
    DOCUMENT_KINDS
        .iter()
        .filter(|info| info.notifying)
        .map(|info| info.code)
        .filter(|code| filter.is_none_or(|kind| kind.code() == *code))
        .collect()
}

pub async fn at_risk(
    storage: &dyn Storage,
    query: AtRiskQuery,
    now: DateTime<Utc>,
) -> Result<AtRiskPage, StorageError> {
    let kinds = kinds(query.kind);
    let window = Duration::days(DEEMED_NOTIFIED_AFTER_DAYS);
    // Deemed on `made available + 15 days`: at most `days` left means made available at most
    // `days - 15` days from now.
    let available_until = query
        .days_left
        .map(|days| now + Duration::days(days.clamp(0, DEEMED_NOTIFIED_AFTER_DAYS)) - window)
        .unwrap_or(now);
    let after = match query.after {
        Some(id) => storage
            .find_document(id)
            .await?
            .and_then(|document| document.made_available_at.map(|at| (at, id))),
        None => None,
    };
    let rows = storage
        .unopened_documents(&UnopenedFilter {
            kinds: &kinds,
            available_after: now - window,
            available_until,
            after,
            limit: PAGE_SIZE,
        })
        .await?;
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|row| row.document_id))
        .flatten();
    let summonses = kinds.contains(&DocumentKind::InterviewSummons.code());
    let interviews = if query.after.is_none() && summonses {
        let reach = now + window + Duration::days(INTERVIEW_NOTICE_DAYS);
        storage
            .unopened_interviews(now, now - window, reach, INTERVIEWS_AT_MOST)
            .await?
            .into_iter()
            .filter(|row| risky(row, now))
            .collect()
    } else {
        Vec::new()
    };
    let ids: Vec<Uuid> = interviews
        .iter()
        .chain(&rows)
        .map(|row| row.document_id)
        .collect();
    let deliveries = storage.notifications_of_documents(&ids).await?;
    let entry = |document: UnopenedDocument| AtRiskEntry {
        deemed_on: deemed_notified_on(document.made_available_at),
        interview_at_risk: risky(&document, now),
        deliveries: deliveries
            .iter()
            .filter(|record| record.document_id == Some(document.document_id))
            .cloned()
            .collect(),
        document,
    };
    Ok(AtRiskPage {
        interviews: interviews.into_iter().map(entry).collect(),
        documents: rows.into_iter().map(entry).collect(),
        next,
    })
}

fn risky(document: &UnopenedDocument, now: DateTime<Utc>) -> bool {
    let pending = NotificationStatus::Pending {
        deemed_on: deemed_notified_on(document.made_available_at),
    };
    interview_at_risk(pending, document.appointment_at, now).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_narrows_the_notifying_kinds_only() {
        let all = kinds(None);
        assert!(all.contains(&"interview_summons") && all.contains(&"decision"));
        assert!(all.iter().all(|code| {
            DOCUMENT_KINDS
                .iter()
                .any(|info| info.code == *code && info.notifying)
        }));
        assert_eq!(
            kinds(Some(DocumentKind::InterviewSummons)),
            vec!["interview_summons"]
        );
    }
}
