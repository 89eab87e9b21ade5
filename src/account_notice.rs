//! The account-creation notice: a printable PDF in French and in the applicant's language (or
//! English when the portal does not speak it yet), carrying the one-time connection key. Made
//! on demand and sent to the staff member's browser; the key is never stored or logged.

use app::i18n::{Locale, fill};
use chrono::{DateTime, Utc};
use server::{
    printable::{Font, Line, a4_document, page_break},
    registration::IssuedKey,
};

/// The notice for a key just issued, pointing to `portal_address` (with its trailing slash).
pub fn notice_for(issued: &IssuedKey, portal_address: &url::Url) -> Vec<u8> {
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

/// French first (the office's language), then the applicant's, each on its own page. A
/// language the PDF standard fonts cannot print (any non-Latin script, until fonts are
/// embedded) gets the English page instead: the portal's pages, emails and texts are in it.
pub fn languages_for(preferred_language: &str) -> Vec<Locale> {
    let second = Locale::from_code(preferred_language)
        .filter(|locale| *locale != Locale::Fr)
        .filter(|locale| prints_in_standard_fonts(*locale))
        .or(Some(Locale::En))
        .filter(|_| Locale::from_code(preferred_language) != Some(Locale::Fr));
    std::iter::once(Locale::Fr).chain(second).collect()
}

fn prints_in_standard_fonts(locale: Locale) -> bool {
    let m = locale.messages();
    [
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
    ]
    .into_iter()
    .all(|text| server::printable::can_print(text))
}

fn notice_pdf(content: &NoticeContent<'_>) -> Vec<u8> {
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
    vec![
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
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_always_comes_first_then_the_applicants_language_or_english() {
        assert_eq!(languages_for("fr"), vec![Locale::Fr]);
        assert_eq!(languages_for("en"), vec![Locale::Fr, Locale::En]);
        assert_eq!(languages_for("es"), vec![Locale::Fr, Locale::Es]);
        assert_eq!(languages_for("sq"), vec![Locale::Fr, Locale::Sq]);
        // Scripts the standard PDF fonts cannot print: English is the second page.
        for other_script in ["prs", "ar", "ru", "ka", "ti", "bn"] {
            assert_eq!(languages_for(other_script), vec![Locale::Fr, Locale::En]);
        }
        assert_eq!(languages_for("xx"), vec![Locale::Fr, Locale::En]);
    }
}
