//! Telling applicants a document is waiting, on every channel, without its content: the
//! delivery job, and the mail, SMS and Web Push transports it drives.

pub mod at_risk;
pub mod interview_reminders;
pub mod mailer;
pub mod notification_delivery;
pub mod office_contact;
pub mod sms;
pub mod waiting_announcements;
pub mod web_push;
