//! Rows as the domain sees them.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::StorageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    /// Registers applicants and pushes documents.
    Agent,
    /// Also withdraws documents and reads the audit log.
    Supervisor,
    /// Also manages staff members and API keys.
    Administrator,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Agent => "agent",
            StaffRole::Supervisor => "supervisor",
            StaffRole::Administrator => "administrator",
        }
    }

    pub fn parse(text: &str) -> Result<StaffRole, StorageError> {
        match text {
            "agent" => Ok(StaffRole::Agent),
            "supervisor" => Ok(StaffRole::Supervisor),
            "administrator" => Ok(StaffRole::Administrator),
            other => Err(StorageError::Corrupt(format!(
                "unknown staff role `{other}`"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewStaffMember {
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    pub password_hash: String,
}

#[derive(Clone, PartialEq)]
pub struct StaffMember {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    /// Empty until the member has enrolled (chosen a password and set up TOTP).
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

// Hand-written so that the password hash never reaches a log line.
impl std::fmt::Debug for StaffMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffMember")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct NewApplicant {
    /// Ten digits, from the prefecture's registration.
    pub foreigner_number: Option<String>,
    /// The office's own file number.
    pub file_number: Option<String>,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub preferred_language: String,
    /// Whether documents posted in the account count as legal notification.
    pub electronic_notification: bool,
    /// The email and mobile number the applicant gave at registration (`GivenContacts`).
    pub given: GivenContacts,
}

/// An email and a mobile number the applicant gave when registering, as distinct from those
/// they verified themselves: they receive content-free alerts, from the first document on and
/// even before activation, never a code. Verifying or removing a contact of the same kind on
/// the account clears it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct GivenContacts {
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
}

// Addresses and numbers stay out of logs.
impl std::fmt::Debug for GivenContacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GivenContacts")
            .field("email", &self.email.as_ref().map(|_| ".."))
            .field("phone", &self.phone.as_ref().map(|_| ".."))
            .finish()
    }
}

#[derive(Clone, PartialEq, sqlx::FromRow)]
pub struct Applicant {
    pub id: Uuid,
    pub foreigner_number: Option<String>,
    pub file_number: Option<String>,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub preferred_language: String,
    pub electronic_notification: bool,
    pub created_at: DateTime<Utc>,
    /// When the applicant chose a password with their connection key.
    pub activated_at: Option<DateTime<Utc>>,
    /// A verified address only: an address waiting for its code lives with the code.
    pub email: Option<String>,
    pub email_verified_at: Option<DateTime<Utc>>,
    /// A verified phone number (E.164) only, like the email.
    pub phone: Option<String>,
    pub phone_verified_at: Option<DateTime<Utc>>,
    /// The channels the applicant wants new documents announced on, besides the in-app notice.
    pub notify_by_email: bool,
    pub notify_by_sms: bool,
    /// The language picked on the portal (a tag the portal speaks), once the applicant picked one.
    pub portal_language: Option<String>,
    /// When staff closed the file: the account stays readable until the retention policy
    /// erases it.
    pub closed_at: Option<DateTime<Utc>>,
    /// Given at registration, not verified (`GivenContacts`).
    pub given_email: Option<String>,
    pub given_phone: Option<String>,
    /// Whether interview reminders by email and SMS give the date and time.
    pub detailed_reminders: bool,
}

impl Applicant {
    /// The language of what the portal sends the applicant: their pick on the portal, else the
    /// language recorded at registration.
    pub fn message_language(&self) -> &str {
        self.portal_language
            .as_deref()
            .unwrap_or(&self.preferred_language)
    }

    /// Where alerts go by email: the verified address, else the one given at registration.
    pub fn alert_email(&self) -> Option<&str> {
        self.email.as_deref().or(self.given_email.as_deref())
    }

    /// Where alerts go by SMS: the verified number, else the one given at registration.
    pub fn alert_phone(&self) -> Option<&str> {
        self.phone.as_deref().or(self.given_phone.as_deref())
    }
}

// Names and birth dates of asylum seekers stay out of logs.
impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applicant")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct NewConnectionKey {
    /// SHA-256 of the normalized key, hex; the key itself is never stored.
    pub key_hash: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ConnectionKeyRecord {
    pub id: Uuid,
    pub applicant_id: Uuid,
    pub key_hash: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}
