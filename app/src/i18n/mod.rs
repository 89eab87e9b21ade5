//! Every user-facing string comes from here.
//!
//! Translations live in `app/locales/<code>.json`, one flat key per message. Each file is read into
//! the typed `Messages` struct, so a key used in code but absent from a file (or the reverse) fails
//! the `every_locale_has_every_message` test, and a typo in code fails to compile.
//!
//! The language of a page is chosen on the server (the signed-in applicant's choice, the language
//! cookie, then Accept-Language, then French) and written in `<html lang>` and `<html dir>`. Pages
//! render on the server only: the one island in the browser (the idle warning) gets its words as
//! props, so the WebAssembly carries no messages.

mod negotiation;
mod refusal_text;

use std::sync::LazyLock;

use serde::Deserialize;

pub use negotiation::{LANGUAGE_COOKIE, language_cookie, negotiate};
pub use refusal_text::refusal_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    Fr,
    En,
    Ar,
    /// Dari, the Persian of Afghanistan.
    FaAf,
    Ps,
    Ur,
    Bn,
    Ru,
    Uk,
    Ka,
    Sq,
    Tr,
    Ti,
    So,
    Es,
}

impl Locale {
    /// In the order of the language picker: the office's language, then by number of applicants
    /// who read it (OFPRA's yearly figures by nationality), English after French for staff.
    pub const ALL: [Locale; 15] = [
        Locale::Fr,
        Locale::En,
        Locale::Ar,
        Locale::FaAf,
        Locale::Ps,
        Locale::Bn,
        Locale::Ru,
        Locale::Uk,
        Locale::Ka,
        Locale::Sq,
        Locale::Tr,
        Locale::Ti,
        Locale::Ur,
        Locale::So,
        Locale::Es,
    ];
    pub const DEFAULT: Locale = Locale::Fr;

    /// BCP 47 tag, as in `<html lang>`, the language cookie and the applicant's record.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
            Locale::Ar => "ar",
            Locale::FaAf => "fa-AF",
            Locale::Ps => "ps",
            Locale::Ur => "ur",
            Locale::Bn => "bn",
            Locale::Ru => "ru",
            Locale::Uk => "uk",
            Locale::Ka => "ka",
            Locale::Sq => "sq",
            Locale::Tr => "tr",
            Locale::Ti => "ti",
            Locale::So => "so",
            Locale::Es => "es",
        }
    }

    /// A tag as browsers and the back-office send it: case-insensitive, with the older codes
    /// for Dari (`prs`, and `fa`, which Dari readers understand when no Persian is offered).
    pub fn from_code(code: &str) -> Option<Locale> {
        let code = code.trim();
        if ["prs", "fa", "fa-af"]
            .iter()
            .any(|alias| alias.eq_ignore_ascii_case(code))
        {
            return Some(Locale::FaAf);
        }
        Locale::ALL
            .into_iter()
            .find(|locale| locale.code().eq_ignore_ascii_case(code))
    }

    /// The language's name in its own script, as the language picker shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Fr => "Français",
            Locale::En => "English",
            Locale::Ar => "العربية",
            Locale::FaAf => "دری",
            Locale::Ps => "پښتو",
            Locale::Ur => "اردو",
            Locale::Bn => "বাংলা",
            Locale::Ru => "Русский",
            Locale::Uk => "Українська",
            Locale::Ka => "ქართული",
            Locale::Sq => "Shqip",
            Locale::Tr => "Türkçe",
            Locale::Ti => "ትግርኛ",
            Locale::So => "Soomaali",
            Locale::Es => "Español",
        }
    }

    /// Text direction, for `<html dir>`.
    pub fn direction(self) -> &'static str {
        if self.is_right_to_left() {
            "rtl"
        } else {
            "ltr"
        }
    }

    pub fn is_right_to_left(self) -> bool {
        matches!(self, Locale::Ar | Locale::FaAf | Locale::Ps | Locale::Ur)
    }

    pub fn messages(self) -> &'static Messages {
        &ALL_MESSAGES[self.index()]
    }

    fn index(self) -> usize {
        Locale::ALL
            .iter()
            .position(|locale| *locale == self)
            .unwrap_or_default()
    }

    /// The locale's JSON file.
    pub fn source(self) -> &'static str {
        match self {
            Locale::Fr => include_str!("../../locales/fr.json"),
            Locale::En => include_str!("../../locales/en.json"),
            Locale::Ar => include_str!("../../locales/ar.json"),
            Locale::FaAf => include_str!("../../locales/fa-AF.json"),
            Locale::Ps => include_str!("../../locales/ps.json"),
            Locale::Ur => include_str!("../../locales/ur.json"),
            Locale::Bn => include_str!("../../locales/bn.json"),
            Locale::Ru => include_str!("../../locales/ru.json"),
            Locale::Uk => include_str!("../../locales/uk.json"),
            Locale::Ka => include_str!("../../locales/ka.json"),
            Locale::Sq => include_str!("../../locales/sq.json"),
            Locale::Tr => include_str!("../../locales/tr.json"),
            Locale::Ti => include_str!("../../locales/ti.json"),
            Locale::So => include_str!("../../locales/so.json"),
            Locale::Es => include_str!("../../locales/es.json"),
        }
    }
}

static ALL_MESSAGES: LazyLock<Vec<Messages>> =
    LazyLock::new(|| Locale::ALL.into_iter().map(Messages::parse).collect());

/// One field per message key; see `app/locales/fr.json` for the reference text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    pub site_name: String,
    pub office_name: String,
    pub skip_to_content: String,
    pub language_switcher_label: String,
    pub main_navigation_label: String,
    pub nav_home: String,
    pub nav_sign_in: String,
    pub landing_title: String,
    pub landing_intro: String,
    pub landing_notice_title: String,
    pub landing_notice_text: String,
    pub landing_steps_title: String,
    pub landing_step_activate: String,
    pub landing_step_contact: String,
    pub landing_step_read: String,
    pub landing_sign_in: String,
    pub sign_in_title: String,
    pub sign_in_intro: String,
    pub sign_in_help: String,
    pub not_found_title: String,
    pub not_found_text: String,
    pub back_home: String,
    pub footer_privacy: String,
    pub invalid_language: String,
    pub page_title: String,
    /// Prefixes the title of a page showing an error, so screen readers announce it first.
    pub page_with_error: String,
    pub nav_activate: String,
    pub activate_title: String,
    pub activate_intro: String,
    pub activate_number_label: String,
    pub activate_key_label: String,
    pub activate_key_hint: String,
    pub activate_birth_label: String,
    pub activate_password_label: String,
    pub activate_password_hint: String,
    pub activate_submit: String,
    pub activate_error_summary: String,
    pub activate_error_key_mistyped: String,
    pub activate_error_no_match: String,
    pub activate_error_key_expired: String,
    pub activate_error_key_spent: String,
    pub activate_error_too_short: String,
    pub activate_error_too_long: String,
    pub activate_error_common: String,
    pub activate_error_personal: String,
    pub activate_done_title: String,
    pub activate_birth_hint: String,
    pub date_day: String,
    pub date_month: String,
    pub date_year: String,
    pub activate_error_birth: String,
    pub email_code_subject: String,
    pub email_code_body: String,
    pub sign_in_password_label: String,
    pub sign_in_shared_label: String,
    pub sign_in_shared_hint: String,
    pub sign_in_submit: String,
    pub sign_in_error_summary: String,
    pub sign_in_error_refused: String,
    pub sign_in_error_expired: String,
    pub sign_in_signed_out: String,
    pub error_too_soon: String,
    pub error_locked: String,
    pub code_title: String,
    pub code_sign_in_intro: String,
    pub code_label: String,
    pub code_hint: String,
    pub code_remember_label: String,
    pub code_remember_hint: String,
    pub code_submit: String,
    pub code_error_summary: String,
    pub code_error_wrong: String,
    pub code_error_expired: String,
    pub account_title: String,
    pub account_greeting: String,
    pub account_documents_title: String,
    pub account_documents_empty: String,
    pub account_contact_title: String,
    pub account_contact_email: String,
    pub account_contact_none: String,
    pub account_contact_add: String,
    pub account_contact_confirmed: String,
    pub account_security_title: String,
    pub account_unavailable: String,
    pub sign_out: String,
    pub sign_out_everywhere: String,
    pub sign_out_everywhere_hint: String,
    pub contact_activated: String,
    pub contact_email_label: String,
    pub contact_email_hint: String,
    pub contact_submit: String,
    pub contact_error_summary: String,
    pub contact_error_email: String,
    pub contact_confirm_title: String,
    pub contact_confirm_intro: String,
    pub form_error_missing: String,
    pub service_unavailable: String,
    pub session_warning: String,
    pub session_extend: String,
    pub staff_sign_in_title: String,
    pub staff_sign_in_intro: String,
    pub staff_email_label: String,
    pub staff_totp_label: String,
    pub staff_totp_hint: String,
    pub staff_sign_in_error_refused: String,
    pub staff_enrol_title: String,
    pub staff_enrol_intro: String,
    pub staff_enrol_secret_label: String,
    pub staff_enrol_open_app: String,
    pub staff_enrol_submit: String,
    pub staff_enrol_error_summary: String,
    pub staff_enrol_error_link: String,
    pub staff_enrol_error_code: String,
    pub staff_enrolled: String,
    pub staff_home_title: String,
    pub staff_home_greeting: String,
    pub staff_role_agent: String,
    pub staff_role_supervisor: String,
    pub staff_role_administrator: String,
    pub staff_lift_locks_title: String,
    pub staff_lift_locks_intro: String,
    pub staff_lift_locks_submit: String,
    pub staff_lift_locks_done: String,
    pub staff_forbidden: String,
    pub sign_in_forgot: String,
    pub reset_title: String,
    pub reset_intro: String,
    pub reset_no_email: String,
    pub reset_submit: String,
    pub reset_code_intro: String,
    pub reset_code_submit: String,
    pub reset_error_summary: String,
    pub reset_done: String,
    pub notice_title: String,
    pub notice_for: String,
    pub notice_number: String,
    pub notice_key: String,
    pub notice_valid_until: String,
    pub notice_steps_title: String,
    pub notice_step_address: String,
    pub notice_step_details: String,
    pub notice_step_password: String,
    pub notice_private: String,
    pub staff_register_title: String,
    pub staff_register_intro: String,
    pub staff_file_number_label: String,
    pub staff_given_names_label: String,
    pub staff_family_name_label: String,
    pub staff_birth_label: String,
    pub staff_electronic_label: String,
    pub staff_register_submit: String,
    pub staff_reissue_title: String,
    pub staff_reissue_intro: String,
    pub staff_reissue_submit: String,
    pub staff_error_invalid_number: String,
    pub staff_error_no_identifier: String,
    pub staff_error_missing_name: String,
    pub staff_error_birth: String,
    pub staff_error_language: String,
    pub staff_error_already_registered: String,
    pub staff_error_unknown_applicant: String,
    pub staff_invite_title: String,
    pub staff_invite_intro: String,
    pub staff_invite_name_label: String,
    pub staff_invite_role_label: String,
    pub staff_invite_submit: String,
    pub staff_invited: String,
    pub staff_error_staff_email: String,
    pub staff_error_staff_exists: String,
    pub email_staff_invite_subject: String,
    pub email_staff_invite_body: String,
    pub api_error_unauthorized: String,
    pub api_error_body: String,
    pub identifier_label: String,
    pub identifier_hint: String,
    pub staff_members_title: String,
    pub staff_member_pending: String,
    pub staff_member_disabled: String,
    pub staff_change_role: String,
    pub staff_disable: String,
    pub staff_member_updated: String,
    pub staff_error_not_yourself: String,
    pub staff_role_for: String,
    pub staff_disable_for: String,
    pub email_contact_replaced_subject: String,
    pub email_contact_replaced_body: String,
    pub sms_contact_replaced_body: String,
    pub email_contact_removed_subject: String,
    pub email_contact_removed_body: String,
    pub sms_contact_removed_body: String,
    pub step_up_title: String,
    pub step_up_intro: String,
    pub step_up_submit: String,
    pub step_up_cancel: String,
    pub step_up_error_summary: String,
    pub step_up_error_refused: String,
    pub staff_step_up_intro: String,
    pub staff_step_up_error_refused: String,
    pub staff_unblock: String,
    pub staff_unblock_for: String,
    pub document_kind_account_notice: String,
    pub document_kind_registration_letter: String,
    pub document_kind_interview_summons: String,
    pub document_kind_interview_cancellation: String,
    pub document_kind_medical_certificate_request: String,
    pub document_kind_procedure_change: String,
    pub document_kind_interview_transcript: String,
    pub document_kind_decision: String,
    pub document_kind_renotification: String,
    pub document_kind_other: String,
    pub inbox_unread: String,
    pub inbox_made_available: String,
    pub inbox_pdf_size: String,
    pub inbox_pending_notice: String,
    pub inbox_notified: String,
    pub inbox_appeal: String,
    pub inbox_withdrawn: String,
    pub document_not_found: String,
    pub document_withdrawn: String,
    pub document_unavailable: String,
    pub staff_find_title: String,
    pub staff_find_label: String,
    pub staff_find_submit: String,
    pub staff_find_not_found: String,
    pub staff_documents_title: String,
    pub staff_documents_empty: String,
    pub staff_documents_paper: String,
    pub staff_col_document: String,
    pub staff_col_made_available: String,
    pub staff_col_first_opened: String,
    pub staff_col_notification: String,
    pub staff_col_uploaded_by: String,
    pub staff_not_opened: String,
    pub staff_rule_first_opening: String,
    pub staff_rule_fifteen_days: String,
    pub staff_rule_pending: String,
    pub staff_rule_not_applicable: String,
    pub staff_rule_withdrawn: String,
    pub staff_uploaded_by_api: String,
    pub staff_uploaded_by_system: String,
    pub staff_upload_title: String,
    pub staff_upload_kind_label: String,
    pub staff_upload_title_label: String,
    pub staff_upload_files_label: String,
    pub staff_upload_files_hint: String,
    pub staff_upload_submit: String,
    pub staff_upload_done: String,
    pub upload_error_not_pdf: String,
    pub upload_error_damaged: String,
    pub upload_error_too_complex: String,
    pub upload_error_javascript: String,
    pub upload_error_launch: String,
    pub upload_error_embedded: String,
    pub upload_error_encrypted: String,
    pub upload_error_too_large: String,
    pub refusal_too_large: String,
    pub refusal_cross_site: String,
    pub upload_error_outcome: String,
    pub upload_error_appointment: String,
    pub upload_error_place: String,
    pub upload_error_facts_kind: String,
    pub inbox_decision_outcome: String,
    pub inbox_appointment: String,
    pub decision_outcome_refugee_status: String,
    pub decision_outcome_subsidiary_protection: String,
    pub decision_outcome_statelessness: String,
    pub decision_outcome_rejection: String,
    pub decision_outcome_inadmissibility: String,
    pub decision_outcome_closure: String,
    pub staff_upload_facts_legend: String,
    pub staff_upload_facts_hint: String,
    pub staff_upload_outcome_label: String,
    pub staff_upload_outcome_none: String,
    pub staff_upload_appointment_label: String,
    pub staff_upload_place_label: String,
    pub upload_error_duplicate: String,
    pub upload_error_title: String,
    pub upload_error_no_file: String,
    pub upload_error_kind: String,
    pub upload_error_unavailable: String,
    pub staff_withdraw_summary: String,
    pub staff_withdraw_hint: String,
    pub staff_withdraw_reason_label: String,
    pub staff_withdraw_file_label: String,
    pub staff_withdraw_title_label: String,
    pub staff_withdraw_submit: String,
    pub staff_withdrawn_done: String,
    pub staff_replaced_done: String,
    pub staff_replaces: String,
    pub staff_withdrawal_reason: String,
    pub upload_error_reason: String,
    pub upload_error_already_withdrawn: String,
    pub upload_error_forbidden: String,
    pub upload_error_not_found: String,
    pub account_closed_notice: String,
    pub account_data_title: String,
    pub account_data_hint: String,
    pub account_data_download: String,
    pub upload_error_account_closed: String,
    pub staff_closure_status: String,
    pub staff_closure_title: String,
    pub staff_closure_hint: String,
    pub staff_closure_confirm_label: String,
    pub staff_closure_confirm_error: String,
    pub staff_closure_close: String,
    pub staff_closure_reopen: String,
    pub staff_closure_unchanged: String,
    pub staff_closure_closed_done: String,
    pub staff_closure_reopened_done: String,
    pub staff_data_export_link: String,
    pub staff_acknowledgement_link: String,
    pub ack_title: String,
    pub ack_applicant: String,
    pub ack_numbers: String,
    pub ack_document: String,
    pub ack_document_id: String,
    pub ack_sha256: String,
    pub ack_made_available: String,
    pub ack_first_opened: String,
    pub ack_not_opened: String,
    pub ack_notified: String,
    pub ack_rule_first_opening: String,
    pub ack_rule_fifteen_days: String,
    pub ack_appeal: String,
    pub ack_generated: String,
    pub ack_none: String,
    pub api_error_forbidden: String,
    pub api_error_not_found: String,
    pub api_error_not_notified: String,
    pub api_error_unknown_applicant: String,
    pub api_error_manifest: String,
    pub api_error_manifest_entry: String,
    pub api_error_missing_file: String,
    pub api_error_unexpected_file: String,
    pub api_error_fields: String,
    pub api_error_period: String,
    pub staff_api_keys_title: String,
    pub staff_api_keys_intro: String,
    pub staff_api_keys_empty: String,
    pub staff_api_key_name_label: String,
    pub staff_api_key_scopes_legend: String,
    pub staff_api_scope_applicants_write: String,
    pub staff_api_scope_documents_write: String,
    pub staff_api_scope_documents_read: String,
    pub staff_api_key_create: String,
    pub staff_api_key_created: String,
    pub staff_api_key_revoke: String,
    pub staff_api_key_revoked: String,
    pub staff_api_key_state_active: String,
    pub staff_api_key_state_revoked: String,
    pub staff_error_key_name: String,
    pub staff_error_key_scope: String,
    pub upload_error_infected: String,
    pub staff_waiting_scan: String,
    pub staff_scan_infected: String,
    pub email_new_document_subject: String,
    pub email_new_document_body: String,
    pub staff_notifications_title: String,
    pub staff_notifications_empty: String,
    pub staff_col_notification_for: String,
    pub staff_col_delivery: String,
    pub staff_delivery_queued: String,
    pub staff_delivery_sent: String,
    pub staff_delivery_dead: String,
    pub email_reminder_subject: String,
    pub email_reminder_body: String,
    pub nav_help: String,
    pub footer_help: String,
    pub footer_accessibility: String,
    pub help_title: String,
    pub help_intro: String,
    pub help_key_title: String,
    pub help_key_text: String,
    pub help_password_title: String,
    pub help_password_text: String,
    pub help_notified_title: String,
    pub help_notified_text: String,
    pub help_deadlines_title: String,
    pub help_deadlines_summons: String,
    pub help_deadlines_decision: String,
    pub help_contact_title: String,
    pub help_contact_text: String,
    pub help_contact_never: String,
    pub help_contact_address: String,
    pub help_contact_email: String,
    pub help_contact_phone: String,
    pub accessibility_title: String,
    pub accessibility_status: String,
    pub accessibility_tested_title: String,
    pub accessibility_tested_text: String,
    pub accessibility_scope_title: String,
    pub accessibility_scope_text: String,
    pub accessibility_limits_title: String,
    pub accessibility_limits_text: String,
    pub accessibility_contact_title: String,
    pub accessibility_contact_text: String,
    pub accessibility_remedy_title: String,
    pub accessibility_remedy_text: String,
    pub accessibility_date: String,
    pub offline_title: String,
    pub offline_text: String,
    pub offline_retry: String,
    pub push_new_document: String,
    pub push_reminder: String,
    pub push_section: String,
    pub push_intro: String,
    pub push_turn_on: String,
    pub push_turn_off: String,
    pub push_on: String,
    pub push_off: String,
    pub push_denied: String,
    pub push_failed: String,
    pub push_unsupported: String,
    pub push_devices: String,
    pub push_remove_all: String,
    pub push_removed_all: String,
    pub staff_channel_push: String,
    pub sms_code_body: String,
    pub sms_new_document: String,
    pub sms_reminder: String,
    pub code_sign_in_intro_sms: String,
    pub account_contact_phone: String,
    pub account_contact_manage: String,
    pub contact_settings_title: String,
    pub contact_settings_intro: String,
    pub contact_email_section: String,
    pub contact_email_current: String,
    pub contact_email_none: String,
    pub contact_phone_section: String,
    pub contact_phone_current: String,
    pub contact_phone_none: String,
    pub contact_phone_label: String,
    pub contact_phone_hint: String,
    pub contact_phone_submit: String,
    pub contact_error_phone: String,
    pub contact_error_last_contact: String,
    pub contact_remove_email: String,
    pub contact_remove_phone: String,
    pub contact_removed: String,
    pub contact_confirm_phone_title: String,
    pub contact_confirm_phone_intro: String,
    pub contact_phone_confirmed: String,
    pub contact_channels_title: String,
    pub contact_channels_hint: String,
    pub contact_channel_email: String,
    pub contact_channel_sms: String,
    pub contact_channel_needs_contact: String,
    pub contact_channels_submit: String,
    pub contact_channels_saved: String,
    pub applicant_navigation_label: String,
    pub nav_documents: String,
    pub nav_notifications: String,
    pub nav_contact: String,
    pub notifications_unread_count: String,
    pub notifications_title: String,
    pub notifications_intro: String,
    pub notifications_empty: String,
    pub notice_new_document: String,
    pub notice_reminder: String,
    pub notice_withdrawn_document: String,
    pub notice_received: String,
    pub notice_open_document: String,
    pub notice_mark_read: String,
    pub notices_mark_all_read: String,
    pub notices_marked_read: String,
    pub staff_col_channel: String,
    pub staff_channel_email: String,
    pub staff_channel_sms: String,
    pub staff_channel_in_app: String,
    pub staff_delivery_skipped_no_contact: String,
    pub staff_delivery_skipped_channel_off: String,
    pub staff_delivery_skipped_opened: String,
    pub staff_delivery_read: String,
    pub staff_delivery_unread: String,
    pub staff_given_contacts_legend: String,
    pub staff_given_contacts_hint: String,
    pub staff_given_phone_label: String,
    pub staff_given_email_label: String,
    pub contact_given_email: String,
    pub contact_given_phone: String,
    pub contact_given_confirm_email: String,
    pub contact_given_confirm_phone: String,
    pub contact_given_remove_email: String,
    pub contact_given_remove_phone: String,
    pub staff_delivery_waiting_contact: String,
    pub staff_delivery_waiting_channel_off: String,
    pub inbox_add_to_calendar: String,
    pub calendar_summary: String,
    pub calendar_description: String,
    pub calendar_alarm: String,
    pub contact_detailed_reminders: String,
    pub contact_detailed_reminders_hint: String,
    pub email_interview_subject: String,
    pub email_interview_tomorrow: String,
    pub email_interview_tomorrow_detailed: String,
    pub email_interview_today: String,
    pub email_interview_today_detailed: String,
    pub sms_interview_tomorrow: String,
    pub sms_interview_tomorrow_detailed: String,
    pub sms_interview_today: String,
    pub sms_interview_today_detailed: String,
    pub push_interview_tomorrow: String,
    pub push_interview_today: String,
    pub notice_interview_tomorrow: String,
    pub notice_interview_today: String,
    pub notice_interview_cancelled: String,
    pub staff_message_new_document: String,
    pub staff_message_reminder: String,
    pub staff_message_interview_eve: String,
    pub staff_message_interview_morning: String,
    pub staff_message_interview_cancelled: String,
    pub staff_delivery_cancelled: String,
    pub staff_interview_risk: String,
    pub staff_at_risk_title: String,
    pub staff_at_risk_intro: String,
    pub staff_at_risk_interviews_title: String,
    pub staff_at_risk_documents_title: String,
    pub staff_at_risk_empty: String,
    pub staff_at_risk_filter_kind: String,
    pub staff_at_risk_filter_all_kinds: String,
    pub staff_at_risk_filter_days: String,
    pub staff_at_risk_filter_any: String,
    pub staff_at_risk_filter_submit: String,
    pub staff_at_risk_next: String,
    pub staff_at_risk_days_left: String,
    pub staff_col_applicant: String,
    pub staff_col_deemed: String,
    pub staff_col_contacts: String,
    pub staff_col_deliveries: String,
    pub staff_contact_phone_verified: String,
    pub staff_contact_phone_given: String,
    pub staff_contact_email_verified: String,
    pub staff_contact_email_given: String,
    pub staff_contact_none: String,
    pub address_title: String,
    pub address_intro: String,
    pub address_current: String,
    pub address_none: String,
    pub address_earlier: String,
    pub address_new: String,
    pub address_hint: String,
    pub address_kind_legend: String,
    pub address_kind_residence: String,
    pub address_kind_domiciliation: String,
    pub address_care_of_label: String,
    pub address_care_of_hint: String,
    pub address_street_label: String,
    pub address_postal_code_label: String,
    pub address_city_label: String,
    pub address_submit: String,
    pub address_declared: String,
    pub address_declared_no_receipt: String,
    pub address_error_summary: String,
    pub address_error_kind: String,
    pub address_error_care_of: String,
    pub address_error_street: String,
    pub address_error_postal_code: String,
    pub address_error_city: String,
    pub address_declared_on: String,
    pub address_receipt_title: String,
    pub address_receipt_declared: String,
    pub address_receipt_effect: String,
    pub address_receipt_reference: String,
    pub account_address_link: String,
    pub staff_reach_title: String,
    pub staff_address_history: String,
    pub staff_address_none: String,
    pub staff_api_scope_applicants_read: String,
    pub staff_language_choice_label: String,
    pub staff_reissue_number_label: String,
    pub staff_unlock_number_label: String,
    pub staff_enrol_qr_label: String,
    pub staff_enrol_qr_hint: String,
    pub language_name_fr: String,
    pub language_name_en: String,
    pub language_name_ar: String,
    pub language_name_fa_af: String,
    pub language_name_ps: String,
    pub language_name_bn: String,
    pub language_name_ru: String,
    pub language_name_uk: String,
    pub language_name_ka: String,
    pub language_name_sq: String,
    pub language_name_tr: String,
    pub language_name_ti: String,
    pub language_name_ur: String,
    pub language_name_so: String,
    pub language_name_es: String,
    pub staff_navigation_label: String,
    pub api_error_idempotency_key: String,
    pub api_error_idempotency_reused: String,
    pub api_error_idempotency_busy: String,
    pub staff_dashboard_title: String,
    pub staff_dashboard_intro: String,
    pub staff_dashboard_as_of: String,
    pub staff_dashboard_at_risk_title: String,
    pub staff_dashboard_at_risk_documents: String,
    pub staff_dashboard_at_risk_interviews: String,
    pub staff_dashboard_at_risk_link: String,
    pub staff_dashboard_weekly_title: String,
    pub staff_dashboard_posted: String,
    pub staff_dashboard_opened: String,
    pub staff_dashboard_deemed: String,
    pub staff_dashboard_week: String,
    pub staff_dashboard_show_table: String,
    pub staff_dashboard_delays_title: String,
    pub staff_dashboard_delays_empty: String,
    pub staff_dashboard_kind: String,
    pub staff_dashboard_opened_count: String,
    pub staff_dashboard_median: String,
    pub staff_dashboard_p90: String,
    pub staff_dashboard_channels_title: String,
    pub staff_dashboard_channels_hint: String,
    pub staff_dashboard_channels_empty: String,
    pub staff_dashboard_channel: String,
    pub staff_dashboard_sent: String,
    pub staff_dashboard_failed: String,
    pub staff_dashboard_not_sent: String,
    pub staff_dashboard_pending: String,
    pub staff_dashboard_success: String,
    pub staff_dashboard_percent: String,
    pub staff_dashboard_days_hours: String,
    pub staff_dashboard_hours_minutes: String,
    pub staff_dashboard_minutes: String,
}

impl Messages {
    /// A language's name in this language (staff choose an applicant's language by it).
    pub fn language_name(&self, locale: Locale) -> &str {
        match locale {
            Locale::Fr => &self.language_name_fr,
            Locale::En => &self.language_name_en,
            Locale::Ar => &self.language_name_ar,
            Locale::FaAf => &self.language_name_fa_af,
            Locale::Ps => &self.language_name_ps,
            Locale::Ur => &self.language_name_ur,
            Locale::Bn => &self.language_name_bn,
            Locale::Ru => &self.language_name_ru,
            Locale::Uk => &self.language_name_uk,
            Locale::Ka => &self.language_name_ka,
            Locale::Sq => &self.language_name_sq,
            Locale::Tr => &self.language_name_tr,
            Locale::Ti => &self.language_name_ti,
            Locale::So => &self.language_name_so,
            Locale::Es => &self.language_name_es,
        }
    }

    /// The name of a document kind, from its stored code (`server::documents::kind`).
    pub fn document_kind_name(&self, code: &str) -> &str {
        match code {
            "account_notice" => &self.document_kind_account_notice,
            "registration_letter" => &self.document_kind_registration_letter,
            "interview_summons" => &self.document_kind_interview_summons,
            "interview_cancellation" => &self.document_kind_interview_cancellation,
            "medical_certificate_request" => &self.document_kind_medical_certificate_request,
            "procedure_change" => &self.document_kind_procedure_change,
            "interview_transcript" => &self.document_kind_interview_transcript,
            "decision" => &self.document_kind_decision,
            "renotification" => &self.document_kind_renotification,
            _ => &self.document_kind_other,
        }
    }

    /// The translated outcome of a decision, by its code (`server::documents::notice_facts`).
    pub fn decision_outcome_name(&self, code: &str) -> &str {
        match code {
            "refugee_status" => &self.decision_outcome_refugee_status,
            "subsidiary_protection" => &self.decision_outcome_subsidiary_protection,
            "statelessness" => &self.decision_outcome_statelessness,
            "rejection" => &self.decision_outcome_rejection,
            "inadmissibility" => &self.decision_outcome_inadmissibility,
            _ => &self.decision_outcome_closure,
        }
    }

    fn parse(locale: Locale) -> Messages {
        // Every locale is parsed by a unit test, so this cannot fail in a tested build.
        serde_json::from_str(locale.source())
            .unwrap_or_else(|error| panic!("locales/{}.json is invalid: {error}", locale.code()))
    }
}

/// Replaces `{name}` placeholders in a message.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// `fill` for a template that names a person as `{name}`, in French eliding "de" before a name
/// that starts with a vowel: "Documents d'Amina", not "Documents de Amina". Only the template's
/// own "de {name}" changes, never the name ("Ana de Oliveira" stays as written); a name starting
/// with "h" or "y" keeps "de" (Hassan, Yasmine: not elided). Other languages fill as `fill`.
pub fn fill_name(locale: Locale, template: &str, name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "aàâäeéèêëiîïoôöuùûüAÀÂÄEÉÈÊËIÎÏOÔÖUÙÛÜ".contains(c));
    let template = if locale == Locale::Fr && vowel {
        template.replace("de {name}", "d'{name}")
    } else {
        template.to_owned()
    };
    fill(&template, &[("name", name)])
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn french_elides_de_before_a_vowel_only() {
        let documents = |name: &str| fill_name(Locale::Fr, "Documents de {name}", name);
        assert_eq!(documents("Amina Haidari"), "Documents d'Amina Haidari");
        assert_eq!(documents("Émile Durand"), "Documents d'Émile Durand");
        assert_eq!(documents("Hassan Ali"), "Documents de Hassan Ali");
        assert_eq!(documents("Yasmine Ali"), "Documents de Yasmine Ali");
        // The name is the person's: never changed.
        assert_eq!(documents("Ana de Oliveira"), "Documents d'Ana de Oliveira");
        assert_eq!(documents("Sara de Andrade"), "Documents de Sara de Andrade");
        assert_eq!(
            fill_name(Locale::Es, "Documentos de {name}", "Amina"),
            "Documentos de Amina"
        );
    }

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}'))
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// RGAA wants the footer's word on compliance to be the statement's: both say "not
    /// compliant" until an audit gives a rate.
    #[test]
    fn the_footer_says_what_the_accessibility_statement_says() {
        for (locale, status) in [(Locale::Fr, "non conforme"), (Locale::En, "not compliant")] {
            let m = locale.messages();
            assert!(m.footer_accessibility.ends_with(status), "{locale:?}");
            assert!(m.accessibility_status.contains(status), "{locale:?}");
        }
    }

    #[test]
    fn every_locale_has_every_message() {
        for locale in Locale::ALL {
            serde_json::from_str::<Messages>(locale.source())
                .unwrap_or_else(|error| panic!("locales/{}.json: {error}", locale.code()));
        }
    }

    #[test]
    fn every_translation_keeps_the_placeholders_of_the_french_text() {
        let reference: BTreeMap<String, String> =
            serde_json::from_str(Locale::Fr.source()).unwrap();
        for locale in Locale::ALL {
            let messages: BTreeMap<String, String> = serde_json::from_str(locale.source()).unwrap();
            for (key, text) in &messages {
                assert!(!text.trim().is_empty(), "{}: {key} is empty", locale.code());
                assert_eq!(
                    placeholders(text),
                    placeholders(&reference[key]),
                    "{}: placeholders of {key} differ from French",
                    locale.code()
                );
            }
        }
    }

    /// A file copied from French and never translated would pass the key checks.
    #[test]
    fn every_other_locale_is_translated() {
        let french: BTreeMap<String, String> = serde_json::from_str(Locale::Fr.source()).unwrap();
        for locale in Locale::ALL.into_iter().skip(1) {
            let messages: BTreeMap<String, String> = serde_json::from_str(locale.source()).unwrap();
            let same = messages
                .iter()
                .filter(|(key, text)| french.get(*key) == Some(*text))
                .count();
            assert!(
                same * 10 < messages.len(),
                "{}: {same} of {} messages are still the French text",
                locale.code(),
                messages.len()
            );
        }
    }

    #[test]
    fn codes_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_code(locale.code()), Some(locale));
        }
        assert_eq!(Locale::from_code("EN"), Some(Locale::En));
        assert_eq!(Locale::from_code("xx"), None);
        for dari in ["prs", "fa", "fa-af", "FA-AF"] {
            assert_eq!(Locale::from_code(dari), Some(Locale::FaAf));
        }
    }

    #[test]
    fn right_to_left_scripts_are_marked() {
        let rtl: Vec<&str> = Locale::ALL
            .into_iter()
            .filter(|locale| locale.direction() == "rtl")
            .map(Locale::code)
            .collect();
        assert_eq!(rtl, ["ar", "fa-AF", "ps", "ur"]);
    }

    #[test]
    fn every_locale_is_listed_once_with_its_own_name() {
        let names: BTreeSet<&str> = Locale::ALL.into_iter().map(Locale::native_name).collect();
        assert_eq!(names.len(), Locale::ALL.len());
        assert_eq!(Locale::ALL[0], Locale::DEFAULT);
    }

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(
            fill("{page} – Espace usager", &[("page", "Accueil")]),
            "Accueil – Espace usager"
        );
        assert_eq!(fill("{days} jours", &[("days", "15")]), "15 jours");
    }
}
