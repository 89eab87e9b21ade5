//! "Add to my calendar": an interview as an iCalendar event (RFC 5545) that the calendars of
//! Android and iOS import. The time is the office's wall-clock time with its zone spelled out
//! (`VTIMEZONE` Europe/Paris, EU rule), so that a phone set to another zone still shows the
//! right hour; two alarms, the day before and two hours before.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::office_time::in_office_time;
use crate::storage::{Applicant, DocumentRecord, Storage, StorageError};

/// The applicant's own summons `document_id`, still in the account (available, not
/// withdrawn), whose interview is still to come; with the applicant, for their language.
/// `None` for anything else, whoever's it is.
pub async fn upcoming_interview(
    storage: &dyn Storage,
    applicant_id: Uuid,
    document_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<(DocumentRecord, Applicant)>, StorageError> {
    let Some(document) = storage.find_document(document_id).await? else {
        return Ok(None);
    };
    let own_and_current = document.applicant_id == applicant_id
        && document.made_available_at.is_some()
        && document.withdrawn_at.is_none()
        && document.facts.appointment_at.is_some_and(|at| at > now);
    if !own_and_current {
        return Ok(None);
    }
    Ok(storage
        .find_applicant(applicant_id)
        .await?
        .map(|applicant| (document, applicant)))
}

/// How long the event lasts in the calendar: interviews take a morning or an afternoon.
pub const INTERVIEW_LENGTH: Duration = Duration::hours(3);

/// The words of the event, in the applicant's language.
pub struct EventTexts<'a> {
    pub summary: &'a str,
    pub description: &'a str,
    /// What each alarm says.
    pub alarm: &'a str,
}

/// One interview: its document (the event's stable identity, so that importing the file again
/// updates the event instead of adding a second), when and where.
pub struct Interview<'a> {
    pub document_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub place: &'a str,
    /// The portal's host, for the event's globally unique id.
    pub host: &'a str,
}

/// The Europe/Paris zone as RFC 5545 writes it: summer time from the last Sunday of March at
/// 02:00 to the last Sunday of October at 03:00 (`office_time`'s rule).
const PARIS: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The `.ics` file: CRLF line ends, long lines folded, text escaped.
pub fn calendar_file(
    interview: &Interview<'_>,
    texts: &EventTexts<'_>,
    now: DateTime<Utc>,
) -> String {
    let local = |at: DateTime<Utc>| in_office_time(at).format("%Y%m%dT%H%M%S").to_string();
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Espace usager//Interview//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    lines.extend(PARIS.iter().map(|line| (*line).to_owned()));
    lines.extend([
        "BEGIN:VEVENT".into(),
        format!(
            "UID:interview-{}@{}",
            interview.document_id,
            text(interview.host)
        ),
        format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;TZID=Europe/Paris:{}", local(interview.starts_at)),
        format!(
            "DTEND;TZID=Europe/Paris:{}",
            local(interview.starts_at + INTERVIEW_LENGTH)
        ),
        format!("SUMMARY:{}", text(texts.summary)),
        format!("LOCATION:{}", text(interview.place)),
        format!("DESCRIPTION:{}", text(texts.description)),
    ]);
    for before in ["-P1D", "-PT2H"] {
        lines.extend([
            "BEGIN:VALARM".into(),
            "ACTION:DISPLAY".into(),
            format!("DESCRIPTION:{}", text(texts.alarm)),
            format!("TRIGGER:{before}"),
            "END:VALARM".into(),
        ]);
    }
    lines.extend(["END:VEVENT".into(), "END:VCALENDAR".into()]);
    lines.iter().map(|line| fold(line)).collect()
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as
/// `\n`, other control characters dropped (they cannot come from staff's one-line place, but a
/// translation must not break the file either).
fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// A content line folded at 75 octets (§3.1), never inside a UTF-8 character, with its CRLF.
fn fold(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        if width + size > 75 {
            folded.push_str("\r\n ");
            width = 1;
        }
        folded.push(c);
        width += size;
    }
    folded.push_str("\r\n");
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unfolded(file: &str) -> Vec<String> {
        file.replace("\r\n ", "")
            .split("\r\n")
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn example(starts_at: &str, place: &str) -> String {
        let interview = Interview {
            document_id: Uuid::nil(),
            starts_at: starts_at.parse().unwrap(),
            place,
            host: "portal.example",
        };
        let texts = EventTexts {
            summary: "Entretien, apportez votre convocation; merci",
            description: "Détails : https://portal.example/account",
            alarm: "Entretien demain",
        };
        calendar_file(&interview, &texts, "2026-12-07T10:00:00Z".parse().unwrap())
    }

    #[test]
    fn the_event_is_in_paris_time_with_two_alarms() {
        // 08:30 UTC in January is 09:30 in Paris; in July, 10:30.
        let winter = unfolded(&example("2027-01-09T08:30:00Z", "201 rue Carnot"));
        assert!(winter.contains(&"DTSTART;TZID=Europe/Paris:20270109T093000".to_owned()));
        assert!(winter.contains(&"DTEND;TZID=Europe/Paris:20270109T123000".to_owned()));
        assert!(winter.contains(&"DTSTAMP:20261207T100000Z".to_owned()));
        let summer = unfolded(&example("2027-07-01T08:30:00Z", "201 rue Carnot"));
        assert!(summer.contains(&"DTSTART;TZID=Europe/Paris:20270701T103000".to_owned()));
        assert!(winter.contains(&"TRIGGER:-P1D".to_owned()));
        assert!(winter.contains(&"TRIGGER:-PT2H".to_owned()));
        assert_eq!(winter.iter().filter(|l| *l == "BEGIN:VALARM").count(), 2);
        assert!(winter.contains(
            &"UID:interview-00000000-0000-0000-0000-000000000000@portal.example".to_owned()
        ));
        assert_eq!(winter.first().unwrap(), "BEGIN:VCALENDAR");
        assert_eq!(winter.last().unwrap(), "END:VCALENDAR");
    }

    #[test]
    fn text_is_escaped_and_long_lines_folded_between_characters() {
        let place = "Office français de protection des réfugiés et apatrides, 201 rue Carnot, 94120 Fontenay-sous-Bois; porte B";
        let file = example("2027-01-09T08:30:00Z", place);
        assert!(file.ends_with("END:VCALENDAR\r\n"));
        for line in file.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let lines = unfolded(&file);
        let location = lines.iter().find(|l| l.starts_with("LOCATION:")).unwrap();
        assert_eq!(
            location,
            "LOCATION:Office français de protection des réfugiés et apatrides\\, 201 rue Carnot\\, 94120 Fontenay-sous-Bois\\; porte B"
        );
        let summary = lines.iter().find(|l| l.starts_with("SUMMARY:")).unwrap();
        assert_eq!(
            summary,
            "SUMMARY:Entretien\\, apportez votre convocation\\; merci"
        );
        assert_eq!(text("a\\b\nc\u{7}"), "a\\\\b\\nc");
    }

    #[test]
    fn folding_never_splits_a_character() {
        let line = format!("SUMMARY:{}", "مقابله ".repeat(30));
        let folded = fold(&line);
        for piece in folded.split("\r\n") {
            assert!(piece.len() <= 75);
            assert!(std::str::from_utf8(piece.as_bytes()).is_ok());
        }
        assert_eq!(
            folded.replace("\r\n ", "").strip_suffix("\r\n"),
            Some(line.as_str())
        );
    }
}
