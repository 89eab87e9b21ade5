//! Reaching the applicant: the texts of alerts in every language, one-time codes sent by mail or
//! SMS, Web Push subscriptions, and the in-app notices' forms.

pub(crate) mod code_delivery;
pub(crate) mod notice_forms;
pub mod notification_texts;
pub(crate) mod push_routes;
