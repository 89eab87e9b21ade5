//! The staff dashboard's figures (`server::dashboard`) as the page draws them: numbers for the
//! charts' geometry and, beside each, the words and dates in the page's language.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekRow {
    /// `dd/mm`, under the bars.
    pub short: String,
    /// `dd/mm/yyyy`, in the table.
    pub starts_on: String,
    pub posted: u64,
    pub opened: u64,
    pub deemed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelayRow {
    pub kind_name: String,
    pub opened: u64,
    pub median_hours: f64,
    pub p90_hours: f64,
    pub median: String,
    pub p90: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub name: String,
    pub sent: u64,
    pub failed: u64,
    pub not_sent: u64,
    pub pending: u64,
    /// "97 %", or a dash before any message was tried to the end.
    pub success: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub as_of: String,
    pub weeks: Vec<WeekRow>,
    pub delays: Vec<DelayRow>,
    pub channels: Vec<ChannelRow>,
    pub at_risk_documents: u64,
    pub at_risk_interviews: u64,
}

#[server(endpoint = "staff/dashboard")]
pub async fn staff_dashboard() -> Result<DashboardView, ServerFnError> {
    use server::http::who_is_asking::{self as asking, SignedInStaff};

    let call = crate::server_context::Call::here();
    let _: SignedInStaff<asking::may::ReadDocuments> = call.asking().await?;
    let figures = server::dashboard::latest(&call.services)
        .await
        .map_err(|error| call.unavailable(error))?;
    Ok(view_of(call.messages(), figures))
}

#[cfg(feature = "ssr")]
fn view_of(
    m: &crate::i18n::Messages,
    figures: server::dashboard::figures::DashboardFigures,
) -> DashboardView {
    use crate::i18n::fill;
    use server::documents::office_time::{office_clock, office_date};

    let hours = |seconds: u64| seconds as f64 / 3600.0;
    let kept_for = server::dashboard::kept_for(&figures).num_minutes();
    DashboardView {
        as_of: fill(
            &m.staff_dashboard_as_of,
            &[
                ("date", &office_date(figures.computed_at)),
                ("time", &office_clock(figures.computed_at)),
                ("minutes", &kept_for.to_string()),
            ],
        ),
        weeks: figures
            .weeks
            .iter()
            .map(|week| WeekRow {
                short: week.starts_on.format("%d/%m").to_string(),
                starts_on: week.starts_on.format("%d/%m/%Y").to_string(),
                posted: week.posted,
                opened: week.opened,
                deemed: week.deemed_notified,
            })
            .collect(),
        delays: figures
            .opening_delays
            .iter()
            .map(|delays| DelayRow {
                kind_name: m.document_kind_name(&delays.kind).to_owned(),
                opened: delays.opened,
                median_hours: hours(delays.median_seconds),
                p90_hours: hours(delays.p90_seconds),
                median: duration(m, delays.median_seconds),
                p90: duration(m, delays.p90_seconds),
            })
            .collect(),
        channels: figures
            .deliveries
            .iter()
            .map(|channel| ChannelRow {
                name: match channel.channel.as_str() {
                    "email" => m.staff_channel_email.clone(),
                    "sms" => m.staff_channel_sms.clone(),
                    "push" => m.staff_channel_push.clone(),
                    "in_app" => m.staff_channel_in_app.clone(),
                    other => other.to_owned(),
                },
                sent: channel.sent,
                failed: channel.failed,
                not_sent: channel.not_sent,
                pending: channel.pending,
                success: channel
                    .success_percent()
                    .map(|percent| fill(&m.staff_dashboard_percent, &[("n", &percent.to_string())]))
                    .unwrap_or_else(|| "–".to_owned()),
            })
            .collect(),
        at_risk_documents: figures.at_risk.documents,
        at_risk_interviews: figures.at_risk.interviews,
    }
}

/// "3 j 4 h", "5 h 20 min", "12 min": two units at most, the larger first.
#[cfg(feature = "ssr")]
fn duration(m: &crate::i18n::Messages, seconds: u64) -> String {
    use crate::i18n::fill;
    let minutes = seconds / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        fill(
            &m.staff_dashboard_days_hours,
            &[("days", &days.to_string()), ("hours", &hours.to_string())],
        )
    } else if hours > 0 {
        fill(
            &m.staff_dashboard_hours_minutes,
            &[
                ("hours", &hours.to_string()),
                ("minutes", &minutes.to_string()),
            ],
        )
    } else {
        fill(
            &m.staff_dashboard_minutes,
            &[("minutes", &minutes.to_string())],
        )
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn durations_read_in_two_units_at_most() {
        let m = Locale::Fr.messages();
        assert_eq!(duration(m, 59), "0 min");
        assert_eq!(duration(m, 12 * 60), "12 min");
        assert_eq!(duration(m, 5 * 3600 + 20 * 60 + 59), "5 h 20 min");
        assert_eq!(duration(m, 3 * 86400 + 4 * 3600 + 59 * 60), "3 j 4 h");
        assert_eq!(duration(Locale::En.messages(), 3 * 86400 + 3600), "3 d 1 h");
    }
}
