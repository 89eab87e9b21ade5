//! The account-creation notice: a printable PDF in French and in the applicant's language (or
//! English when the portal does not speak it), carrying the one-time connection key. Made
//! on demand and sent to the staff member's browser; the key is never stored or logged.

use app::i18n::{Locale, fill};
use chrono::{DateTime, Utc};
use server::{
    accounts::registration::IssuedKey,
    printable::{Font, Line, PrintError, a4_document, page_break},
};

/// The notice for a key just issued, pointing to `portal_address` (with its trailing slash).
pub fn notice_for(issued: &IssuedKey, portal_address: &url::Url) -> Result<Vec<u8>, PrintError> {
    notice_pdf(&NoticeContent {
        applicant: &issued.applicant,
        connection_key: &issued.key.display(),
        expires_at: issued.expires_at,
        activation_address: &format!("{portal_address}activate"),
    })
}

struct NoticeContent<'a> {
    applicant: &'a server::storage::Applicant,
    /// As printed: `ABCD-EFGH-JKMN-PQRS-T`.
    connection_key: &'a str,
    expires_at: DateTime<Utc>,
    /// Where to activate: the portal's `/activate` page.
    activation_address: &'a str,
}

/// French first (the office's language), then the applicant's, each on its own page; English
/// for a language the portal does not speak.
pub fn languages_for(preferred_language: &str) -> Vec<Locale> {
    match Locale::from_code(preferred_language) {
        Some(Locale::Fr) => vec![Locale::Fr],
        Some(other) => vec![Locale::Fr, other],
        None => vec![Locale::Fr, Locale::En],
    }
}

fn notice_pdf(content: &NoticeContent<'_>) -> Result<Vec<u8>, PrintError> {
    let mut lines = Vec::new();
    // A reissued key follows the language the applicant picked on the portal, if any.
    for (index, locale) in languages_for(content.applicant.message_language())
        .into_iter()
        .enumerate()
    {
        if index > 0 {
            lines.push(page_break());
        }
        lines.extend(notice_page(content, locale));
    }
    a4_document(&Locale::Fr.messages().notice_title, &lines)
}

fn notice_page(content: &NoticeContent<'_>, locale: Locale) -> Vec<Line> {
    let m = locale.messages();
    let applicant = content.applicant;
    let name = format!("{} {}", applicant.given_names, applicant.family_name);
    let identifier = applicant
        .foreigner_number
        .clone()
        .or_else(|| applicant.file_number.clone())
        .unwrap_or_default();
    let date = content.expires_at.format("%d/%m/%Y").to_string();
    let lines = vec![
        Line::new(m.notice_title.as_str(), Font::Bold, 18.0),
        Line::new(fill(&m.notice_for, &[("name", &name)]), Font::Regular, 12.0).after(18.0),
        Line::new(
            fill(&m.notice_number, &[("number", &identifier)]),
            Font::Regular,
            12.0,
        ),
        Line::new(m.notice_key.as_str(), Font::Bold, 12.0).after(18.0),
        Line::new(content.connection_key, Font::Mono, 22.0).after(6.0),
        Line::new(
            fill(&m.notice_valid_until, &[("date", &date)]),
            Font::Regular,
            12.0,
        )
        .after(6.0),
        Line::new(m.notice_steps_title.as_str(), Font::Bold, 12.0).after(18.0),
        Line::new(
            fill(
                &m.notice_step_address,
                &[("address", content.activation_address)],
            ),
            Font::Regular,
            12.0,
        )
        .after(4.0),
        Line::new(m.notice_step_details.as_str(), Font::Regular, 12.0).after(4.0),
        Line::new(m.notice_step_password.as_str(), Font::Regular, 12.0).after(4.0),
        Line::new(m.notice_private.as_str(), Font::Bold, 11.0).after(24.0),
    ];
    // Every line from the page's side, the key and the address too.
    let right_to_left = locale.is_right_to_left();
    lines
        .into_iter()
        .map(|line| line.direction(right_to_left))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_always_comes_first_then_the_applicants_language_or_english() {
        assert_eq!(languages_for("fr"), vec![Locale::Fr]);
        assert_eq!(languages_for("en"), vec![Locale::Fr, Locale::En]);
        for code in [
            "fa-AF", "ar", "ru", "ka", "ti", "bn", "ps", "ur", "tr", "sq",
        ] {
            assert_eq!(languages_for(code)[1].code(), code);
        }
        assert_eq!(languages_for("prs"), vec![Locale::Fr, Locale::FaAf]);
        assert_eq!(languages_for("xx"), vec![Locale::Fr, Locale::En]);
    }

    /// Every language's page prints whole: no character without a glyph in the embedded fonts.
    #[test]
    fn every_language_prints_in_the_embedded_fonts() {
        for locale in Locale::ALL {
            let m = locale.messages();
            for text in [
                &m.notice_title,
                &m.notice_for,
                &m.notice_number,
                &m.notice_key,
                &m.notice_valid_until,
                &m.notice_steps_title,
                &m.notice_step_address,
                &m.notice_step_details,
                &m.notice_step_password,
                &m.notice_private,
            ] {
                assert!(
                    server::printable::can_print(text),
                    "{}: {text}",
                    locale.code()
                );
            }
            let pdf = a4_document(&m.notice_title, &notice_page(&sample(), locale));
            assert!(pdf.is_ok(), "{}", locale.code());
        }
    }

    fn sample() -> NoticeContent<'static> {
        static APPLICANT: std::sync::LazyLock<server::storage::Applicant> =
            std::sync::LazyLock::new(|| server::storage::Applicant {
                id: uuid::Uuid::new_v4(),
                foreigner_number: Some("7501234567".into()),
                file_number: None,
                given_names: "Nour".into(),
                family_name: "Haddad".into(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(2000, 2, 29).unwrap(),
                preferred_language: "prs".into(),
                electronic_notification: true,
                created_at: chrono::Utc::now(),
                activated_at: None,
                email: None,
                email_verified_at: None,
                phone: None,
                phone_verified_at: None,
                notify_by_email: false,
                notify_by_sms: false,
                portal_language: None,
                closed_at: None,
                given_email: None,
                given_phone: None,
                detailed_reminders: false,
            });
        NoticeContent {
            applicant: &APPLICANT,
            connection_key: "ABCD-EFGH-JKMN-PQRS-T",
            expires_at: chrono::Utc::now(),
            activation_address: "https://portail.example/activate",
        }
    }
}
