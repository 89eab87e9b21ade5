//! The staff side's forms: sign-in and enrolment, members and roles, locks, and the back-office
//! API keys administrators issue.

pub(crate) mod api_key_forms;
pub(crate) mod staff_forms;
