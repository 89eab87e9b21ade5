//! Every refusal's sentence, in one exhaustive table: a new `Code` does not compile until it
//! has its words. Pages may say it more precisely next to a field (`pages::*::explain`); the
//! API and anything without its own wording use this.

use refusal::Code;

use super::{Messages, fill};
use crate::MIN_PASSWORD_CHARACTERS;

/// The sentence for `code`. `TooLarge` keeps its `{size}` for the caller, who knows the limit.
pub fn refusal_text(code: Code, m: &Messages) -> String {
    let text = match code {
        Code::Expired => &m.sign_in_error_expired,
        Code::Unauthorized => &m.api_error_unauthorized,
        Code::Forbidden => &m.api_error_forbidden,
        Code::Refused => &m.sign_in_error_refused,
        Code::TooSoon => &m.error_too_soon,
        Code::Locked => &m.error_locked,
        Code::Missing => &m.form_error_missing,
        Code::Body => &m.api_error_body,
        Code::Fields => &m.api_error_fields,
        Code::Unchanged => &m.staff_closure_unchanged,
        Code::Confirm => &m.staff_closure_confirm_error,
        Code::NotFound => &m.api_error_not_found,
        Code::KeyMistyped => &m.activate_error_key_mistyped,
        Code::KeyExpired => &m.activate_error_key_expired,
        Code::KeySpent => &m.activate_error_key_spent,
        Code::NoMatch => &m.activate_error_no_match,
        Code::Birth => &m.activate_error_birth,
        Code::TooShort => {
            return fill(
                &m.activate_error_too_short,
                &[("min", MIN_PASSWORD_CHARACTERS)],
            );
        }
        Code::TooLong => &m.activate_error_too_long,
        Code::Common => &m.activate_error_common,
        Code::Personal => &m.activate_error_personal,
        Code::CodeWrong => &m.code_error_wrong,
        Code::CodeExpired => &m.code_error_expired,
        Code::Email => &m.contact_error_email,
        Code::Phone => &m.contact_error_phone,
        Code::LastContact => &m.contact_error_last_contact,
        Code::Push => &m.push_failed,
        Code::AddressKind => &m.address_error_kind,
        Code::AddressCareOf => &m.address_error_care_of,
        Code::AddressStreet => &m.address_error_street,
        Code::PostalCode => &m.address_error_postal_code,
        Code::AddressCity => &m.address_error_city,
        Code::Link => &m.staff_enrol_error_link,
        Code::NotYourself => &m.staff_error_not_yourself,
        // Someone else removed the member meanwhile: nothing the person could have done.
        Code::UnknownMember | Code::Unavailable => &m.service_unavailable,
        Code::StaffEmail => &m.staff_error_staff_email,
        Code::StaffExists => &m.staff_error_staff_exists,
        Code::KeyName => &m.staff_error_key_name,
        Code::KeyScope => &m.staff_error_key_scope,
        Code::InvalidNumber => &m.staff_error_invalid_number,
        Code::NoIdentifier => &m.staff_error_no_identifier,
        Code::MissingName => &m.staff_error_missing_name,
        Code::BirthFuture => &m.staff_error_birth,
        Code::Language => &m.staff_error_language,
        Code::AlreadyRegistered => &m.staff_error_already_registered,
        Code::UnknownApplicant => &m.api_error_unknown_applicant,
        Code::NoFile => &m.upload_error_no_file,
        Code::NotPdf => &m.upload_error_not_pdf,
        Code::Damaged => &m.upload_error_damaged,
        Code::TooComplex => &m.upload_error_too_complex,
        Code::Javascript => &m.upload_error_javascript,
        Code::Launch => &m.upload_error_launch,
        Code::Embedded => &m.upload_error_embedded,
        Code::Encrypted => &m.upload_error_encrypted,
        Code::TooLarge => &m.upload_error_too_large,
        Code::Duplicate => &m.upload_error_duplicate,
        Code::Infected => &m.upload_error_infected,
        Code::Title => &m.upload_error_title,
        Code::Kind => &m.upload_error_kind,
        Code::Outcome => &m.upload_error_outcome,
        Code::Appointment => &m.upload_error_appointment,
        Code::Place => &m.upload_error_place,
        Code::FactsKind => &m.upload_error_facts_kind,
        Code::AccountClosed => &m.upload_error_account_closed,
        Code::Reason => &m.upload_error_reason,
        Code::AlreadyWithdrawn => &m.upload_error_already_withdrawn,
        Code::NotNotified => &m.api_error_not_notified,
        Code::Manifest => &m.api_error_manifest,
        Code::MissingFile => &m.api_error_missing_file,
        Code::UnexpectedFile => &m.api_error_unexpected_file,
        Code::Period => &m.api_error_period,
        Code::IdempotencyKey => &m.api_error_idempotency_key,
        Code::IdempotencyReused => &m.api_error_idempotency_reused,
        Code::IdempotencyBusy => &m.api_error_idempotency_busy,
    };
    text.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    /// `{name}` left unfilled (JSON in a message, `{"documents": …}`, is not one).
    fn has_placeholder(text: &str) -> bool {
        text.split('{').skip(1).any(|rest| {
            rest.split_once('}').is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
        })
    }

    #[test]
    fn every_code_has_words_in_every_language_with_its_figures_filled() {
        for locale in Locale::ALL {
            let m = locale.messages();
            for code in Code::ALL {
                let text = fill(&refusal_text(*code, m), &[("size", "20")]);
                assert!(!text.trim().is_empty(), "{code} in {locale:?}");
                assert!(!has_placeholder(&text), "{code} in {locale:?}: {text}");
            }
        }
    }
}
