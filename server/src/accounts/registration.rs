//! Registering an applicant: the office creates the account and gets the one-time connection
//! key to print on the account notice. The key is returned once and only its hash is stored.
//! The input is normalized and checked here, whoever registers (command line, staff, API).

use chrono::{DateTime, Duration, Utc};
use refusal::Code;

use crate::{
    accounts::contact::{normalize_email, normalize_phone},
    connection_key::ConnectionKey,
    storage::{
        Actor, Applicant, GivenContacts, NewApplicant, NewAuditEvent, NewConnectionKey, Storage,
        StorageError,
    },
};

/// The default of `EU_CONNECTION_KEY_DAYS`.
pub const CONNECTION_KEY_VALIDITY: Duration = Duration::days(30);

/// A new connection key, to print on the account notice; shown once, never stored.
pub struct IssuedKey {
    pub applicant: Applicant,
    pub key: ConnectionKey,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("a foreigner number has exactly 10 digits")]
    InvalidForeignerNumber,
    #[error("a foreigner number or an office file number is required")]
    NoIdentifier,
    #[error("given names and family name are required")]
    MissingName,
    #[error("the date of birth cannot be in the future")]
    BirthInFuture,
    #[error("the preferred language must be a language code such as `fr` or `prs`")]
    InvalidLanguage,
    #[error("no applicant has this foreigner number")]
    UnknownApplicant,
    #[error("the email address given at registration is not valid")]
    InvalidEmail,
    #[error("the mobile number given at registration is not valid (E.164, such as +33612345678)")]
    InvalidPhone,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl RegistrationError {
    /// A stable word for forms and API answers.
    pub fn code(&self) -> Code {
        match self {
            RegistrationError::InvalidForeignerNumber => Code::InvalidNumber,
            RegistrationError::NoIdentifier => Code::NoIdentifier,
            RegistrationError::MissingName => Code::MissingName,
            RegistrationError::BirthInFuture => Code::BirthFuture,
            RegistrationError::InvalidLanguage => Code::Language,
            RegistrationError::UnknownApplicant => Code::UnknownApplicant,
            RegistrationError::InvalidEmail => Code::Email,
            RegistrationError::InvalidPhone => Code::Phone,
            RegistrationError::Storage(StorageError::Conflict(_)) => Code::AlreadyRegistered,
            RegistrationError::Storage(_) => Code::Unavailable,
        }
    }
}

/// Who registers: a staff member, a back-office system's API key, or the command line.
pub async fn register_applicant(
    storage: &dyn Storage,
    registration: NewApplicant,
    registered_by: Actor,
    key_validity: Duration,
    now: DateTime<Utc>,
) -> Result<IssuedKey, RegistrationError> {
    let applicant = validate(registration, now)?;
    let key = ConnectionKey::generate();
    let record = NewConnectionKey {
        key_hash: key.hash(),
        expires_at: now + key_validity,
    };
    let created = storage.create_applicant(&applicant, &record).await?;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: registered_by.kind,
            actor_id: registered_by.id,
            action: "applicant_registered",
            target_kind: Some("applicant"),
            target_id: Some(created.id),
            ip_hash: None,
            succeeded: true,
        })
        .await?;
    Ok(IssuedKey {
        applicant: created,
        key,
        expires_at: record.expires_at,
    })
}

/// A new connection key for an applicant who lost their password and every contact channel
/// (identity checked at the desk): earlier keys, the password and the lost email stop working,
/// every session ends and every remembered device is forgotten. Activating with the new key
/// sets a new password.
pub async fn reissue_connection_key(
    storage: &dyn Storage,
    foreigner_number: &str,
    reissued_by: Actor,
    key_validity: Duration,
    now: DateTime<Utc>,
) -> Result<IssuedKey, RegistrationError> {
    let applicant = storage
        .find_applicant_by_identifier(&crate::accounts::sign_in::normalize_identifier(
            foreigner_number,
        ))
        .await?
        .ok_or(RegistrationError::UnknownApplicant)?;
    let key = ConnectionKey::generate();
    let expires_at = now + key_validity;
    storage
        .reissue_connection_key(
            applicant.id,
            &NewConnectionKey {
                key_hash: key.hash(),
                expires_at,
            },
            now,
        )
        .await?;
    storage
        .revoke_sessions_of(crate::storage::SubjectKind::Applicant, applicant.id, now)
        .await?;
    storage.forget_devices(applicant.id, now).await?;
    storage
        .append_audit_event(&NewAuditEvent {
            actor_kind: reissued_by.kind,
            actor_id: reissued_by.id,
            action: "connection_key_reissued",
            target_kind: Some("applicant"),
            target_id: Some(applicant.id),
            ip_hash: None,
            succeeded: true,
        })
        .await?;
    Ok(IssuedKey {
        applicant,
        key,
        expires_at,
    })
}

fn validate(
    registration: NewApplicant,
    now: DateTime<Utc>,
) -> Result<NewApplicant, RegistrationError> {
    let trimmed =
        |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let foreigner_number = trimmed(registration.foreigner_number).map(|number| {
        number
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    });
    if let Some(number) = &foreigner_number
        && (number.len() != 10 || !number.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(RegistrationError::InvalidForeignerNumber);
    }
    // Kept as compared at sign-in, so that the number printed on the notice is the one to type.
    let file_number = trimmed(registration.file_number)
        .map(|number| crate::accounts::sign_in::normalize_identifier(&number))
        .filter(|number| !number.is_empty());
    if foreigner_number.is_none() && file_number.is_none() {
        return Err(RegistrationError::NoIdentifier);
    }
    let (given_names, family_name) = (
        registration.given_names.trim().to_owned(),
        registration.family_name.trim().to_owned(),
    );
    if given_names.is_empty() || family_name.is_empty() {
        return Err(RegistrationError::MissingName);
    }
    if registration.date_of_birth > now.date_naive() {
        return Err(RegistrationError::BirthInFuture);
    }
    let language = registration.preferred_language.trim().to_lowercase();
    if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(RegistrationError::InvalidLanguage);
    }
    let given = GivenContacts {
        email: trimmed(registration.given.email)
            .map(|email| normalize_email(&email).map_err(|_| RegistrationError::InvalidEmail))
            .transpose()?,
        phone: trimmed(registration.given.phone)
            .map(|phone| normalize_phone(&phone).map_err(|_| RegistrationError::InvalidPhone))
            .transpose()?,
    };
    Ok(NewApplicant {
        foreigner_number,
        file_number,
        given_names,
        family_name,
        date_of_birth: registration.date_of_birth,
        preferred_language: language,
        electronic_notification: registration.electronic_notification,
        given,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn registration() -> NewApplicant {
        NewApplicant {
            foreigner_number: Some(" 07 1234 5678 ".into()),
            file_number: None,
            given_names: "Zahra".into(),
            family_name: "Karimi".into(),
            date_of_birth: NaiveDate::from_ymd_opt(1999, 1, 2).unwrap(),
            preferred_language: "PRS".into(),
            electronic_notification: true,
            given: Default::default(),
        }
    }

    #[test]
    fn input_is_normalized() {
        let applicant = validate(registration(), Utc::now()).unwrap();
        assert_eq!(applicant.foreigner_number.as_deref(), Some("0712345678"));
        assert_eq!(applicant.preferred_language, "prs");
        assert_eq!(applicant.given, GivenContacts::default());
    }

    #[test]
    fn contacts_given_at_registration_are_checked_and_stored_as_dialled() {
        let mut given = registration();
        given.given = GivenContacts {
            email: Some(" Zahra@Example.ORG ".into()),
            phone: Some("06 12 34 56 78".into()),
        };
        let applicant = validate(given, Utc::now()).unwrap();
        assert_eq!(applicant.given.email.as_deref(), Some("Zahra@example.org"));
        assert_eq!(applicant.given.phone.as_deref(), Some("+33612345678"));
        let mut blank = registration();
        blank.given.email = Some("  ".into());
        assert_eq!(validate(blank, Utc::now()).unwrap().given.email, None);
        let mut bad_phone = registration();
        bad_phone.given.phone = Some("612345".into());
        assert!(matches!(
            validate(bad_phone, Utc::now()),
            Err(RegistrationError::InvalidPhone)
        ));
        let mut bad_email = registration();
        bad_email.given.email = Some("zahra@localhost".into());
        assert!(matches!(
            validate(bad_email, Utc::now()),
            Err(RegistrationError::InvalidEmail)
        ));
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        let now = Utc::now();
        let mut short = registration();
        short.foreigner_number = Some("12345".into());
        assert!(matches!(
            validate(short, now),
            Err(RegistrationError::InvalidForeignerNumber)
        ));
        let mut none = registration();
        none.foreigner_number = Some("  ".into());
        assert!(matches!(
            validate(none, now),
            Err(RegistrationError::NoIdentifier)
        ));
        let mut nameless = registration();
        nameless.family_name = " ".into();
        assert!(matches!(
            validate(nameless, now),
            Err(RegistrationError::MissingName)
        ));
        let mut unborn = registration();
        unborn.date_of_birth = (now + Duration::days(2)).date_naive();
        assert!(matches!(
            validate(unborn, now),
            Err(RegistrationError::BirthInFuture)
        ));
        let mut language = registration();
        language.preferred_language = "français".into();
        assert!(matches!(
            validate(language, now),
            Err(RegistrationError::InvalidLanguage)
        ));
    }
}
