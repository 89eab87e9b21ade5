//! Why the portal refused a request, as one closed list. The domain's errors name their code;
//! the form handlers send it back to the page (`?error=`), the pages explain it, the API puts it
//! in its JSON (`error`). Each side matches on a variant, so a code one side sends and no other
//! side knows fails to compile instead of falling through to "service unavailable".
//!
//! No dependency: the pages are compiled to WebAssembly too.

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)+) => {
        /// A refusal's stable name. The text (`as_str`) is part of the API's contract and of
        /// the pages' addresses: change a variant's text only with the OpenAPI document.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)+
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)+
                }
            }

            /// The code a page's address names; anything else (typed by hand, from an older
            /// version) is `None`, and the page shows no error.
            pub fn parse(text: &str) -> Option<Code> {
                match text {
                    $($text => Some(Code::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

codes! {
    // Who is asking.
    /// No session (or it ended): sign in again.
    Expired = "expired",
    /// No API key, or not a valid one.
    Unauthorized = "unauthorized",
    /// Signed in, but this role or key may not do it.
    Forbidden = "forbidden",
    /// Identifier, password or code wrong (deliberately one answer).
    Refused = "refused",
    /// Too many attempts just now: wait a moment.
    TooSoon = "too_soon",
    /// Too many attempts: the office lifts it.
    Locked = "locked",

    // Forms and requests.
    /// A required field is empty or the form is unreadable.
    Missing = "missing",
    /// The API's JSON body is unreadable.
    Body = "body",
    /// The API's multipart fields are unreadable.
    Fields = "fields",
    /// Nothing to change: it already is so.
    Unchanged = "unchanged",
    /// The closure was not confirmed.
    Confirm = "confirm",
    NotFound = "not_found",

    // Activation, passwords and codes.
    KeyMistyped = "key_mistyped",
    KeyExpired = "key_expired",
    KeySpent = "key_spent",
    /// Identifier, key and birth date do not go together (deliberately one answer).
    NoMatch = "no_match",
    /// The date of birth typed at activation is not a date.
    Birth = "birth",
    TooShort = "too_short",
    TooLong = "too_long",
    Common = "common",
    Personal = "personal",
    CodeWrong = "code_wrong",
    CodeExpired = "code_expired",

    // Contact points.
    Email = "email",
    Phone = "phone",
    /// Removing it would leave no way to reach the applicant.
    LastContact = "last_contact",
    /// The push subscription is not usable.
    Push = "push",

    // The postal address.
    AddressKind = "address_kind",
    AddressCareOf = "address_care_of",
    AddressStreet = "address_street",
    PostalCode = "postal_code",
    AddressCity = "address_city",

    // Staff.
    /// An enrolment link unknown, used or expired.
    Link = "link",
    NotYourself = "not_yourself",
    UnknownMember = "unknown_member",
    StaffEmail = "staff_email",
    StaffExists = "staff_exists",
    KeyName = "key_name",
    KeyScope = "key_scope",

    // Registration.
    InvalidNumber = "invalid_number",
    NoIdentifier = "no_identifier",
    MissingName = "missing_name",
    /// A date of birth in the future, or not a date.
    BirthFuture = "birth_future",
    Language = "language",
    AlreadyRegistered = "already_registered",
    UnknownApplicant = "unknown_applicant",

    // Documents.
    NoFile = "no_file",
    NotPdf = "not_pdf",
    Damaged = "damaged",
    TooComplex = "too_complex",
    Javascript = "javascript",
    Launch = "launch",
    Embedded = "embedded",
    Encrypted = "encrypted",
    TooLarge = "too_large",
    Duplicate = "duplicate",
    Infected = "infected",
    Title = "title",
    Kind = "kind",
    Outcome = "outcome",
    Appointment = "appointment",
    Place = "place",
    FactsKind = "facts_kind",
    AccountClosed = "account_closed",
    Reason = "reason",
    AlreadyWithdrawn = "already_withdrawn",
    NotNotified = "not_notified",
    Manifest = "manifest",
    MissingFile = "missing_file",
    UnexpectedFile = "unexpected_file",
    Period = "period",
    /// The `Idempotency-Key` header is not 1 to 255 visible ASCII characters.
    IdempotencyKey = "idempotency_key",
    /// The key was used before with another request.
    IdempotencyReused = "idempotency_key_reused",
    /// The first request with this key is still being processed.
    IdempotencyBusy = "idempotency_key_in_progress",

    /// The portal's own machinery failed (storage, mail, printing): logged where it happened,
    /// never the person's fault.
    Unavailable = "unavailable",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error that names its refusal: the domain's errors, so that a handler passes them on
/// without choosing a string.
pub trait Refused: std::fmt::Display {
    fn code(&self) -> Code;
}

/// `Refused` for error types that already have an inherent `code(&self) -> Code`.
#[macro_export]
macro_rules! refused_by_code {
    ($($error:ty),+ $(,)?) => {$(
        impl $crate::Refused for $error {
            fn code(&self) -> $crate::Code {
                <$error>::code(self)
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself_and_no_two_share_a_text() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code} must be safe in an address without escaping"
            );
        }
    }

    #[test]
    fn unknown_text_names_no_code() {
        for text in ["", "Locked", "locked ", "<script>", "unavailable\n"] {
            assert_eq!(Code::parse(text), None, "{text:?}");
        }
    }
}
