//! The kinds of document the office issues, as one table: a stable code (stored and sent over
//! the API), the pictogram the inbox shows, and whether posting it is a legal notification.
//! Names are translated by the app from the code (`document_kind_<code>` messages).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    AccountNotice,
    RegistrationLetter,
    InterviewSummons,
    InterviewCancellation,
    MedicalCertificateRequest,
    ProcedureChange,
    InterviewTranscript,
    Decision,
    Renotification,
    Other,
}

/// What the portal knows about a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    pub kind: DocumentKind,
    pub code: &'static str,
    /// Name of the pictogram in `public/pictograms.svg`.
    pub pictogram: &'static str,
    /// Posting it starts the legal notification clock (CESEDA R. 531-17, R. 531-11).
    pub notifying: bool,
    /// An appeal can be lodged against it, so the inbox recalls the deadline once notified.
    pub appealable: bool,
}

const fn info(
    kind: DocumentKind,
    code: &'static str,
    pictogram: &'static str,
    notifying: bool,
    appealable: bool,
) -> KindInfo {
    KindInfo {
        kind,
        code,
        pictogram,
        notifying,
        appealable,
    }
}

pub const DOCUMENT_KINDS: [KindInfo; 10] = [
    info(
        DocumentKind::AccountNotice,
        "account_notice",
        "key",
        false,
        false,
    ),
    info(
        DocumentKind::RegistrationLetter,
        "registration_letter",
        "envelope",
        false,
        false,
    ),
    info(
        DocumentKind::InterviewSummons,
        "interview_summons",
        "calendar",
        true,
        false,
    ),
    info(
        DocumentKind::InterviewCancellation,
        "interview_cancellation",
        "calendar-cross",
        true,
        false,
    ),
    info(
        DocumentKind::MedicalCertificateRequest,
        "medical_certificate_request",
        "stethoscope",
        true,
        false,
    ),
    info(
        DocumentKind::ProcedureChange,
        "procedure_change",
        "arrows",
        true,
        false,
    ),
    info(
        DocumentKind::InterviewTranscript,
        "interview_transcript",
        "speech",
        true,
        false,
    ),
    info(DocumentKind::Decision, "decision", "gavel", true, true),
    info(
        DocumentKind::Renotification,
        "renotification",
        "bell",
        true,
        true,
    ),
    info(DocumentKind::Other, "other", "page", false, false),
];

impl DocumentKind {
    pub fn info(self) -> &'static KindInfo {
        DOCUMENT_KINDS
            .iter()
            .find(|info| info.kind == self)
            .unwrap_or(&DOCUMENT_KINDS[DOCUMENT_KINDS.len() - 1])
    }

    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn is_notifying(self) -> bool {
        self.info().notifying
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DOCUMENT_KINDS
            .iter()
            .find(|info| info.code == code)
            .map(|info| info.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row_and_its_code_round_trips() {
        for info in DOCUMENT_KINDS {
            assert_eq!(info.kind.info(), &info);
            assert_eq!(DocumentKind::from_code(info.code), Some(info.kind));
            // The serde name is the stored code too.
            assert_eq!(
                serde_json::to_string(&info.kind).unwrap(),
                format!("\"{}\"", info.code)
            );
        }
        assert_eq!(DocumentKind::from_code("Decision"), None);
    }

    #[test]
    fn decisions_and_summons_notify_and_the_account_notice_does_not() {
        assert!(DocumentKind::Decision.is_notifying());
        assert!(DocumentKind::InterviewSummons.is_notifying());
        assert!(!DocumentKind::AccountNotice.is_notifying());
        assert!(!DocumentKind::Other.is_notifying());
    }
}
