//! Documents the office posts in an applicant's account: their kinds, the upload check, their
//! encryption at rest, posting and opening them, and the legal notification rule.

pub mod acknowledgement;
pub mod bulk_manifest;
pub mod encryption;
pub mod kind;
pub mod legal_notification;
pub mod notice_facts;
pub mod office_time;
pub mod orphans;
pub mod pdf_inspection;
pub mod publishing;
pub mod reading;
pub mod virus_scan;
pub mod withdrawal;

pub use kind::{DOCUMENT_KINDS, DocumentKind, KindInfo};
