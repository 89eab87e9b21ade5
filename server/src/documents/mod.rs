//! Documents the office posts in an applicant's account: their kinds, the upload check, their
//! encryption at rest, posting and opening them, and the legal notification rule.

pub mod acknowledgement;
pub mod document_store;
pub mod encryption;
pub mod interview_calendar;
pub mod legal_notification;
pub mod office_time;
pub mod orphans;
pub mod publishing;
pub mod reading;
pub mod virus_scan;
pub mod withdrawal;

// The parsers of what comes from outside live in `untrusted_input`, to be fuzzed apart.
pub use untrusted_input::{
    DOCUMENT_KINDS, DocumentKind, KindInfo, bulk_manifest, kind, notice_facts, pdf_inspection,
};
