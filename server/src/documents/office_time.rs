//! Dates shown to applicants and staff are the office's (Paris) wall-clock time: a legal date
//! read in UTC could be a day off. Europe/Paris follows the EU rule: UTC+2 from the last Sunday
//! of March to the last Sunday of October, both at 01:00 UTC; UTC+1 otherwise.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut day = NaiveDate::from_ymd_opt(year, month, 31).unwrap_or_default();
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day
}

fn switch(year: i32, month: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(
        &last_sunday(year, month)
            .and_hms_opt(1, 0, 0)
            .unwrap_or_default(),
    )
}

pub fn in_office_time(time: DateTime<Utc>) -> DateTime<FixedOffset> {
    let year = time.year();
    let summer = time >= switch(year, 3) && time < switch(year, 10);
    let hours = if summer { 2 } else { 1 };
    match FixedOffset::east_opt(hours * 3600) {
        Some(offset) => time.with_timezone(&offset),
        None => time.fixed_offset(),
    }
}

/// `dd/mm/yyyy`, as written in France and understood everywhere the portal's languages are.
pub fn office_date(time: DateTime<Utc>) -> String {
    in_office_time(time).format("%d/%m/%Y").to_string()
}

/// `HH:MM`, 24-hour.
pub fn office_clock(time: DateTime<Utc>) -> String {
    in_office_time(time).format("%H:%M").to_string()
}

/// A wall-clock time at the office, as a `datetime-local` field sends it (`2027-01-09T09:30`),
/// as the instant it names; `None` for anything else, and for the hour skipped in March.
pub fn from_office_time(local: &str) -> Option<DateTime<Utc>> {
    let local = local.trim();
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    // The office is one or two hours ahead of UTC; the right one reads back as the same time.
    [1, 2]
        .into_iter()
        .map(|hours| Utc.from_utc_datetime(&(naive - Duration::hours(hours))))
        .find(|instant| in_office_time(*instant).naive_local() == naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn office_wall_clock_times_read_back_as_instants() {
        assert_eq!(
            from_office_time("2027-01-09T09:30"),
            Some(at("2027-01-09T08:30:00Z"))
        );
        assert_eq!(
            from_office_time("2026-07-15T12:00:00"),
            Some(at("2026-07-15T10:00:00Z"))
        );
        // 29 March 2026, 02:30 does not exist in Paris.
        assert_eq!(from_office_time("2026-03-29T02:30"), None);
        for bad in ["", "09/01/2027 09:30", "2027-13-01T09:30", "tomorrow"] {
            assert_eq!(from_office_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn winter_is_utc_plus_one_and_summer_utc_plus_two() {
        assert_eq!(office_clock(at("2026-01-15T10:00:00Z")), "11:00");
        assert_eq!(office_clock(at("2026-07-15T10:00:00Z")), "12:00");
    }

    #[test]
    fn the_switches_happen_at_one_utc_on_the_last_sundays() {
        // 2026: 29 March and 25 October.
        assert_eq!(office_clock(at("2026-03-29T00:59:00Z")), "01:59");
        assert_eq!(office_clock(at("2026-03-29T01:00:00Z")), "03:00");
        assert_eq!(office_clock(at("2026-10-25T00:59:00Z")), "02:59");
        assert_eq!(office_clock(at("2026-10-25T01:00:00Z")), "02:00");
    }

    #[test]
    fn late_evening_utc_is_already_the_next_day_in_paris() {
        assert_eq!(office_date(at("2026-12-31T23:30:00Z")), "01/01/2027");
    }
}
