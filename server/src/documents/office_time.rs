//! Dates shown to applicants and staff are the office's (Paris) wall-clock time: a legal date
//! read in UTC could be a day off. Europe/Paris follows the EU rule: UTC+2 from the last Sunday
//! of March to the last Sunday of October, both at 01:00 UTC; UTC+1 otherwise.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
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
