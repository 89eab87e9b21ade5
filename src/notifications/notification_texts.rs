//! The words of the email and the SMS announcing a new document, from the translations: in the
//! applicant's language when the portal speaks it, else French. Content-free by design (see
//! `server::notifications::notification_delivery`).

use app::i18n::{Locale, fill};
use server::{
    documents::office_time::{office_clock, office_date},
    notifications::{
        interview_reminders::{InterviewAlert, InterviewDay},
        notification_delivery::{EmailTexts, NotificationTexts, PushTexts},
    },
};

use crate::notifications::code_delivery::plain_text_as_html;

pub struct TranslatedNotificationTexts;

impl NotificationTexts for TranslatedNotificationTexts {
    fn new_document_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts {
        let locale = locale(preferred_language);
        let m = locale.messages();
        email(
            locale,
            &m.email_new_document_subject,
            &m.email_new_document_body,
            portal_address,
        )
    }

    fn reminder_email(&self, preferred_language: &str, portal_address: &str) -> EmailTexts {
        let locale = locale(preferred_language);
        let m = locale.messages();
        email(
            locale,
            &m.email_reminder_subject,
            &m.email_reminder_body,
            portal_address,
        )
    }

    fn new_document_sms(&self, preferred_language: &str, portal_address: &str) -> String {
        let m = locale(preferred_language).messages();
        fill(&m.sms_new_document, &[("address", portal_address)])
    }

    fn reminder_sms(&self, preferred_language: &str, portal_address: &str) -> String {
        let m = locale(preferred_language).messages();
        fill(&m.sms_reminder, &[("address", portal_address)])
    }

    fn new_document_push(&self, preferred_language: &str) -> PushTexts {
        let m = locale(preferred_language).messages();
        PushTexts {
            title: m.site_name.clone(),
            body: m.push_new_document.clone(),
        }
    }

    fn reminder_push(&self, preferred_language: &str) -> PushTexts {
        let m = locale(preferred_language).messages();
        PushTexts {
            title: m.site_name.clone(),
            body: m.push_reminder.clone(),
        }
    }

    fn interview_email(
        &self,
        preferred_language: &str,
        portal_address: &str,
        alert: InterviewAlert,
    ) -> EmailTexts {
        let locale = locale(preferred_language);
        let m = locale.messages();
        let body = interview_words(
            alert,
            (
                &m.email_interview_tomorrow,
                &m.email_interview_tomorrow_detailed,
            ),
            (&m.email_interview_today, &m.email_interview_today_detailed),
        );
        email(locale, &m.email_interview_subject, &body, portal_address)
    }

    fn interview_sms(
        &self,
        preferred_language: &str,
        portal_address: &str,
        alert: InterviewAlert,
    ) -> String {
        let m = locale(preferred_language).messages();
        let text = interview_words(
            alert,
            (
                &m.sms_interview_tomorrow,
                &m.sms_interview_tomorrow_detailed,
            ),
            (&m.sms_interview_today, &m.sms_interview_today_detailed),
        );
        fill(&text, &[("address", portal_address)])
    }

    fn interview_push(&self, preferred_language: &str, day: InterviewDay) -> PushTexts {
        let m = locale(preferred_language).messages();
        PushTexts {
            title: m.site_name.clone(),
            body: match day {
                InterviewDay::Tomorrow => m.push_interview_tomorrow.clone(),
                InterviewDay::Today => m.push_interview_today.clone(),
            },
        }
    }
}

/// The template for the day (plain, or detailed when the alert carries the time), with the
/// date and time filled in; `{address}` is left for the caller.
fn interview_words(alert: InterviewAlert, tomorrow: (&str, &str), today: (&str, &str)) -> String {
    let (plain, detailed) = match alert.day {
        InterviewDay::Tomorrow => tomorrow,
        InterviewDay::Today => today,
    };
    match alert.at {
        None => plain.to_owned(),
        Some(at) => fill(
            detailed,
            &[("date", &office_date(at)), ("time", &office_clock(at))],
        ),
    }
}

fn locale(preferred_language: &str) -> Locale {
    Locale::from_code(preferred_language).unwrap_or(Locale::Fr)
}

fn email(locale: Locale, subject: &str, body: &str, portal_address: &str) -> EmailTexts {
    let text_body = fill(body, &[("address", portal_address)]);
    EmailTexts {
        subject: subject.to_owned(),
        html_body: plain_text_as_html(&text_body, locale),
        text_body,
        language: locale.code().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_names_the_portal_and_nothing_else() {
        let texts = TranslatedNotificationTexts.new_document_email("en", "https://portal.example/");
        assert!(texts.text_body.contains("https://portal.example/"));
        for word in ["asylum", "decision", "interview", "OFPRA", "refugee"] {
            assert!(
                !texts
                    .text_body
                    .to_lowercase()
                    .contains(&word.to_lowercase()),
                "{word}"
            );
            assert!(
                !texts.subject.to_lowercase().contains(&word.to_lowercase()),
                "{word}"
            );
        }
        let french = TranslatedNotificationTexts.new_document_email("xx", "https://p/");
        assert!(
            french.subject.starts_with("Espace usager : "),
            "unknown: French"
        );
        let dari = TranslatedNotificationTexts.new_document_email("prs", "https://p/");
        assert!(
            dari.subject
                .contains(&Locale::FaAf.messages().email_new_document_subject),
            "the account's language: {}",
            dari.subject
        );
        // Right to left in the mail reader too.
        assert!(
            dari.html_body.contains(r#"<html lang="fa-AF" dir="rtl">"#),
            "{}",
            dari.html_body
        );
        let sms = TranslatedNotificationTexts.new_document_sms("ar", "https://p/");
        assert!(sms.contains("وثيقة") && sms.contains("https://p/"), "{sms}");
        let reminder = TranslatedNotificationTexts.reminder_email("en", "https://portal.example/");
        assert!(reminder.text_body.contains("https://portal.example/"));
        for word in ["asylum", "decision", "interview", "summons", "deadline"] {
            assert!(!reminder.text_body.to_lowercase().contains(word), "{word}");
        }
        for (language, text) in [
            (
                "en",
                TranslatedNotificationTexts.new_document_sms("en", "https://p.example/"),
            ),
            (
                "fr",
                TranslatedNotificationTexts.reminder_sms("fr", "https://p.example/"),
            ),
        ] {
            assert!(text.ends_with("https://p.example/"), "{language}: {text}");
            // One SMS segment: a long text costs more and arrives in pieces on old phones.
            assert!(text.chars().count() <= 160, "{language}: {text}");
            for word in [
                "asile",
                "asylum",
                "ofpra",
                "décision",
                "decision",
                "convocation",
            ] {
                assert!(!text.to_lowercase().contains(word), "{language}: {word}");
            }
        }
    }
}
