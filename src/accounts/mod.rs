//! The applicant's account on the HTTP side: activation, sign-in (password, code, shared phone),
//! password reset, contact points, step-up confirmation, language choice, and the account notice
//! printed at registration.

pub mod account_notice;
pub(crate) mod activation_form;
pub(crate) mod contact_form;
pub(crate) mod language_choice;
pub(crate) mod password_reset_form;
pub(crate) mod postal_address_form;
pub(crate) mod sign_in_form;
pub(crate) mod step_up;
