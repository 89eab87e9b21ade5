//! The acknowledgement of receipt as a printable PDF, in French: the office's language, and the
//! one the prefecture and the court read. The facts come from
//! `server::documents::acknowledgement`; this only lays them out.

use app::i18n::{Locale, fill};
use server::{
    documents::{
        acknowledgement::Acknowledgement,
        legal_notification::NotificationRule,
        office_time::{office_clock, office_date},
    },
    printable::{Font, Line, PrintError, a4_document},
};

pub fn acknowledgement_pdf(
    ack: &Acknowledgement,
    drawn_up_at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, PrintError> {
    let m = Locale::Fr.messages();
    let when = |template: &str, at| {
        fill(
            template,
            &[("date", &office_date(at)), ("time", &office_clock(at))],
        )
    };
    let dash = String::from("—");
    let text = |text: String| Line::new(text, Font::Regular, 11.0).after(6.0);
    let mut lines = vec![
        Line::new(m.ack_title.as_str(), Font::Bold, 18.0),
        text(fill(&m.ack_applicant, &[("name", &ack.applicant_name)])).after(18.0),
        text(fill(
            &m.ack_numbers,
            &[
                ("foreigner", ack.foreigner_number.as_ref().unwrap_or(&dash)),
                ("file", ack.file_number.as_ref().unwrap_or(&dash)),
            ],
        )),
        text(fill(
            &m.ack_document,
            &[
                ("kind", m.document_kind_name(ack.kind)),
                ("title", &ack.title),
            ],
        ))
        .after(12.0),
        text(fill(
            &m.ack_document_id,
            &[("id", &ack.document_id.to_string())],
        )),
        Line::new(
            fill(&m.ack_sha256, &[("hash", &ack.sha256)]),
            Font::Mono,
            8.0,
        )
        .after(6.0),
        text(when(&m.ack_made_available, ack.made_available_at)).after(12.0),
        text(match ack.first_opened_at {
            Some(at) => when(&m.ack_first_opened, at),
            None => m.ack_not_opened.clone(),
        }),
        Line::new(when(&m.ack_notified, ack.notified_at), Font::Bold, 12.0).after(12.0),
        text(match ack.rule {
            NotificationRule::FirstOpening => m.ack_rule_first_opening.clone(),
            NotificationRule::FifteenDaysAfterMadeAvailable => m.ack_rule_fifteen_days.clone(),
        }),
    ];
    if let Some(deadline) = ack.appeal_deadline {
        lines.push(text(fill(
            &m.ack_appeal,
            &[("date", &office_date(deadline))],
        )));
    }
    lines.push(Line::new(when(&m.ack_generated, drawn_up_at), Font::Regular, 9.0).after(24.0));
    a4_document(&m.ack_title, &lines)
}
