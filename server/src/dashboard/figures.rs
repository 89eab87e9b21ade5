//! The dashboard's figures, tallied from the documents' recorded times in one pass: documents
//! posted, opened and deemed notified per week (weeks start on Monday at the office), the time
//! from posting to first opening per kind, each channel's deliveries and who may miss a letter.
//!
//! The deemed date comes from `legal_notification::notification_status`, the rule the inbox and
//! the acknowledgements use, so the chart and the applicant's file can never disagree.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::documents::{
    DocumentKind,
    legal_notification::{
        DEEMED_NOTIFIED_AFTER_DAYS, NotificationFacts, NotificationRule, NotificationStatus,
        notification_status,
    },
    office_time::{from_office_time, in_office_time},
};

/// Weeks shown, the current (partial) one last.
pub const WEEKS: usize = 12;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardFigures {
    pub computed_at: DateTime<Utc>,
    /// How long counting took: the figures are kept longer when it is long.
    #[serde(default)]
    pub computed_in_ms: u64,
    /// Oldest first.
    pub weeks: Vec<WeekFigures>,
    /// Of the documents posted in those weeks and opened since, by kind code.
    pub opening_delays: Vec<OpeningDelays>,
    /// Messages queued in those weeks, by channel.
    pub deliveries: Vec<ChannelDeliveries>,
    pub at_risk: AtRiskCount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekFigures {
    /// The Monday the week starts on, at the office.
    pub starts_on: NaiveDate,
    pub posted: u64,
    /// First openings in the week, whenever the document was posted.
    pub opened: u64,
    /// Notifying documents the 15-day rule counted as notified in the week.
    pub deemed_notified: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningDelays {
    pub kind: String,
    pub opened: u64,
    pub median_seconds: u64,
    pub p90_seconds: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelDeliveries {
    pub channel: String,
    pub sent: u64,
    /// Given up after every retry.
    pub failed: u64,
    /// Not sent: no address on that channel, the channel turned off, or no longer needed.
    pub not_sent: u64,
    /// Waiting or being retried.
    pub pending: u64,
}

impl ChannelDeliveries {
    /// Sent out of those that were tried to the end, in per cent; `None` before any was.
    pub fn success_percent(&self) -> Option<u64> {
        let tried = self.sent + self.failed;
        (tried > 0).then(|| (self.sent * 100 + tried / 2) / tried)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtRiskCount {
    /// Notifying letters not opened and not yet deemed notified.
    pub documents: u64,
    /// Of them, summonses whose interview comes before the person counts as told.
    pub interviews: u64,
}

/// One posted document, as far as the figures look at it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PostedDocument {
    pub kind: String,
    pub made_available_at: DateTime<Utc>,
    pub first_opened_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub electronic_notification: bool,
}

/// What the tally needs read, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Documents made available from here on: those posted in the weeks shown, and those whose
    /// 15 days end in them.
    pub posted_from: DateTime<Utc>,
    /// The first week's start: openings from here on count.
    pub first_week: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// The figures being counted.
#[derive(Debug, Clone)]
pub struct Tally {
    now: DateTime<Utc>,
    first_monday: NaiveDate,
    window: Window,
    weeks: Vec<WeekFigures>,
    delays: BTreeMap<String, Vec<u32>>,
}

fn office_midnight(day: NaiveDate) -> Option<DateTime<Utc>> {
    from_office_time(&format!("{day}T00:00"))
}

impl Tally {
    pub fn new(now: DateTime<Utc>) -> Self {
        let today = in_office_time(now).date_naive();
        let this_monday = today.week(chrono::Weekday::Mon).first_day();
        let first_monday = this_monday - Duration::weeks(WEEKS as i64 - 1);
        // Midnight exists on every day at the office (the clocks change at 02:00 and 03:00).
        let first_week = office_midnight(first_monday).unwrap_or(now - Duration::weeks(12));
        let weeks = (0..WEEKS)
            .map(|week| WeekFigures {
                starts_on: first_monday + Duration::weeks(week as i64),
                posted: 0,
                opened: 0,
                deemed_notified: 0,
            })
            .collect();
        Tally {
            now,
            first_monday,
            window: Window {
                posted_from: first_week - Duration::days(DEEMED_NOTIFIED_AFTER_DAYS),
                first_week,
                until: now,
            },
            weeks,
            delays: BTreeMap::new(),
        }
    }

    pub fn window(&self) -> Window {
        self.window
    }

    /// The week `time` falls in, if it is one of those shown (and not in the future).
    fn week(&mut self, time: DateTime<Utc>) -> Option<&mut WeekFigures> {
        if time < self.window.first_week || time > self.now {
            return None;
        }
        let days = (in_office_time(time).date_naive() - self.first_monday).num_days();
        self.weeks.get_mut(usize::try_from(days / 7).ok()?)
    }

    /// A document made available at or after `window().posted_from`.
    pub fn add_posted(&mut self, document: &PostedDocument) {
        let made_available_at = document.made_available_at;
        if let Some(week) = self.week(made_available_at) {
            week.posted += 1;
        }
        if let Some(opened) = document.first_opened_at {
            self.add_opening(opened);
            if made_available_at >= self.window.first_week && opened <= self.now {
                let seconds = (opened - made_available_at)
                    .num_seconds()
                    .clamp(0, u32::MAX as i64);
                self.delays
                    .entry(document.kind.clone())
                    .or_default()
                    .push(seconds as u32);
            }
        }
        let facts = NotificationFacts {
            notifying_kind: DocumentKind::from_code(&document.kind)
                .is_some_and(DocumentKind::is_notifying),
            electronic_notification: document.electronic_notification,
            made_available_at,
            first_opened_at: document.first_opened_at,
            withdrawn_at: document.withdrawn_at,
        };
        if let NotificationStatus::Notified {
            at,
            rule: NotificationRule::FifteenDaysAfterMadeAvailable,
        } = notification_status(facts, self.now)
            && let Some(week) = self.week(at)
        {
            week.deemed_notified += 1;
        }
    }

    /// A first opening of a document made available before `window().posted_from`.
    pub fn add_opening(&mut self, opened: DateTime<Utc>) {
        if let Some(week) = self.week(opened) {
            week.opened += 1;
        }
    }

    pub fn finish(
        self,
        deliveries: Vec<ChannelDeliveries>,
        at_risk: AtRiskCount,
    ) -> DashboardFigures {
        let opening_delays = self
            .delays
            .into_iter()
            .map(|(kind, mut seconds)| OpeningDelays {
                kind,
                opened: seconds.len() as u64,
                median_seconds: percentile(&mut seconds, 50),
                p90_seconds: percentile(&mut seconds, 90),
            })
            .collect();
        DashboardFigures {
            computed_at: self.now,
            computed_in_ms: 0,
            weeks: self.weeks,
            opening_delays,
            deliveries,
            at_risk,
        }
    }
}

/// The nearest-rank percentile: the smallest value that at least `percent` % of them do not
/// exceed. 0 for none.
pub fn percentile(values: &mut [u32], percent: usize) -> u64 {
    if values.is_empty() {
        return 0;
    }
    let rank = (values.len() * percent).div_ceil(100).max(1);
    let (_, value, _) = values.select_nth_unstable(rank - 1);
    u64::from(*value)
}

/// Message counts by channel out of (channel, status, count) rows, channels in a fixed order.
pub fn deliveries_by_channel(rows: &[(String, String, i64)]) -> Vec<ChannelDeliveries> {
    let mut channels: BTreeMap<&str, ChannelDeliveries> = BTreeMap::new();
    for (channel, status, count) in rows {
        let entry = channels
            .entry(channel.as_str())
            .or_insert_with(|| ChannelDeliveries {
                channel: channel.clone(),
                ..Default::default()
            });
        let count = u64::try_from(*count).unwrap_or(0);
        match status.as_str() {
            "sent" => entry.sent += count,
            "dead" => entry.failed += count,
            "skipped" => entry.not_sent += count,
            _ => entry.pending += count,
        }
    }
    let order = |channel: &str| {
        ["email", "sms", "push", "in_app"]
            .iter()
            .position(|known| *known == channel)
            .unwrap_or(usize::MAX)
    };
    let mut deliveries: Vec<_> = channels.into_values().collect();
    deliveries.sort_by_key(|delivery| order(&delivery.channel));
    deliveries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn posted(kind: &str, made: &str, opened: Option<&str>) -> PostedDocument {
        PostedDocument {
            kind: kind.to_owned(),
            made_available_at: at(made),
            first_opened_at: opened.map(at),
            withdrawn_at: None,
            electronic_notification: true,
        }
    }

    // Thursday 10 December 2026, 12:00 in Paris (UTC+1).
    const NOW: &str = "2026-12-10T11:00:00Z";

    #[test]
    fn weeks_start_on_monday_at_the_office_and_end_with_this_one() {
        let tally = Tally::new(at(NOW));
        let figures = tally.clone().finish(Vec::new(), AtRiskCount::default());
        assert_eq!(figures.weeks.len(), WEEKS);
        assert_eq!(
            figures.weeks.last().unwrap().starts_on,
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
        assert_eq!(
            figures.weeks[0].starts_on,
            NaiveDate::from_ymd_opt(2026, 9, 21).unwrap()
        );
        // Monday 21 September, midnight in Paris, is 22:00 UTC the day before (summer time).
        assert_eq!(tally.window().first_week, at("2026-09-20T22:00:00Z"));
        assert_eq!(tally.window().posted_from, at("2026-09-05T22:00:00Z"));
    }

    #[test]
    fn a_sunday_night_in_paris_belongs_to_the_week_it_is_at_the_office() {
        let mut tally = Tally::new(at(NOW));
        // Sunday 6 December 23:30 in Paris is 22:30 UTC: the week before this one.
        tally.add_posted(&posted("decision", "2026-12-06T22:30:00Z", None));
        // Monday 7 December 00:30 in Paris is 23:30 UTC on Sunday: this week.
        tally.add_posted(&posted("decision", "2026-12-06T23:30:00Z", None));
        let weeks = tally.finish(Vec::new(), AtRiskCount::default()).weeks;
        assert_eq!(weeks[WEEKS - 2].posted, 1);
        assert_eq!(weeks[WEEKS - 1].posted, 1);
    }

    #[test]
    fn posted_opened_and_deemed_fall_in_their_own_weeks() {
        let mut tally = Tally::new(at(NOW));
        // Made available on Monday 16 November, opened on Wednesday 2 December.
        tally.add_posted(&posted(
            "decision",
            "2026-11-16T09:00:00Z",
            Some("2026-12-02T09:00:00Z"),
        ));
        // Never opened: deemed notified on 1 December.
        tally.add_posted(&posted("interview_summons", "2026-11-16T09:00:00Z", None));
        // Not notifying: never deemed.
        tally.add_posted(&posted("registration_letter", "2026-11-16T09:00:00Z", None));
        let weeks = tally.finish(Vec::new(), AtRiskCount::default()).weeks;
        let week_of = |day: u32, month: u32| {
            weeks
                .iter()
                .find(|week| week.starts_on == NaiveDate::from_ymd_opt(2026, month, day).unwrap())
                .copied()
                .unwrap()
        };
        assert_eq!(week_of(16, 11).posted, 3);
        // The decision was opened after its 15 days: the rule had already notified it, but the
        // opening still counts as an opening.
        assert_eq!(week_of(30, 11).opened, 1);
        assert_eq!(week_of(30, 11).deemed_notified, 2);
        let total: u64 = weeks.iter().map(|week| week.deemed_notified).sum();
        assert_eq!(total, 2);
    }

    #[test]
    fn a_document_withdrawn_before_its_deadline_is_never_deemed_notified() {
        let mut tally = Tally::new(at(NOW));
        let mut withdrawn = posted("decision", "2026-11-16T09:00:00Z", None);
        withdrawn.withdrawn_at = Some(at("2026-11-20T09:00:00Z"));
        tally.add_posted(&withdrawn);
        let mut paper = posted("decision", "2026-11-16T09:00:00Z", None);
        paper.electronic_notification = false;
        tally.add_posted(&paper);
        let weeks = tally.finish(Vec::new(), AtRiskCount::default()).weeks;
        assert_eq!(
            weeks.iter().map(|week| week.deemed_notified).sum::<u64>(),
            0
        );
        assert_eq!(weeks.iter().map(|week| week.posted).sum::<u64>(), 2);
    }

    #[test]
    fn opening_delays_are_per_kind_with_nearest_rank_percentiles() {
        let mut tally = Tally::new(at(NOW));
        for hours in 1..=10 {
            let opened = at("2026-12-01T08:00:00Z") + Duration::hours(hours);
            tally.add_posted(&posted(
                "decision",
                "2026-12-01T08:00:00Z",
                Some(&opened.to_rfc3339()),
            ));
        }
        tally.add_posted(&posted(
            "interview_summons",
            "2026-12-01T08:00:00Z",
            Some("2026-12-03T08:00:00Z"),
        ));
        // Posted before the first week: its delay is not this period's.
        tally.add_posted(&posted(
            "decision",
            "2026-09-10T08:00:00Z",
            Some("2026-09-25T08:00:00Z"),
        ));
        let delays = tally
            .finish(Vec::new(), AtRiskCount::default())
            .opening_delays;
        assert_eq!(
            delays,
            vec![
                OpeningDelays {
                    kind: "decision".into(),
                    opened: 10,
                    median_seconds: 5 * 3600,
                    p90_seconds: 9 * 3600,
                },
                OpeningDelays {
                    kind: "interview_summons".into(),
                    opened: 1,
                    median_seconds: 48 * 3600,
                    p90_seconds: 48 * 3600,
                },
            ]
        );
    }

    #[test]
    fn percentiles_of_none_one_and_many() {
        assert_eq!(percentile(&mut [], 90), 0);
        assert_eq!(percentile(&mut [7], 50), 7);
        let mut values: Vec<u32> = (1..=100).rev().collect();
        assert_eq!(percentile(&mut values, 50), 50);
        assert_eq!(percentile(&mut values, 90), 90);
    }

    #[test]
    fn future_times_and_old_ones_fall_outside_every_week() {
        let mut tally = Tally::new(at(NOW));
        tally.add_opening(at("2026-12-11T09:00:00Z"));
        tally.add_opening(at("2026-01-11T09:00:00Z"));
        let weeks = tally.finish(Vec::new(), AtRiskCount::default()).weeks;
        assert_eq!(weeks.iter().map(|week| week.opened).sum::<u64>(), 0);
    }

    #[test]
    fn deliveries_are_grouped_by_channel_in_a_fixed_order() {
        let rows = [
            ("sms".to_owned(), "dead".to_owned(), 1),
            ("email".to_owned(), "sent".to_owned(), 9),
            ("sms".to_owned(), "sent".to_owned(), 3),
            ("email".to_owned(), "skipped".to_owned(), 2),
            ("email".to_owned(), "queued".to_owned(), 1),
            ("email".to_owned(), "dead".to_owned(), 1),
        ];
        let deliveries = deliveries_by_channel(&rows);
        assert_eq!(deliveries[0].channel, "email");
        assert_eq!(
            (
                deliveries[0].sent,
                deliveries[0].failed,
                deliveries[0].not_sent,
                deliveries[0].pending
            ),
            (9, 1, 2, 1)
        );
        assert_eq!(deliveries[0].success_percent(), Some(90));
        assert_eq!(deliveries[1].success_percent(), Some(75));
        assert_eq!(ChannelDeliveries::default().success_percent(), None);
    }
}
