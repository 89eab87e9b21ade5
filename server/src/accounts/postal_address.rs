//! The applicant's postal address: where the office sends paper mail, their own address or a
//! domiciliation (an association's address, as most asylum seekers have). Declared from the
//! account, checked here, kept with its history; the caller puts a dated receipt in the inbox.

use chrono::{DateTime, Utc};
use refusal::Code;
use uuid::Uuid;

use crate::storage::{ActorKind, NewAuditEvent, PostalAddress, Storage, StorageError};

const MAX_LINE_CHARS: usize = 120;
const MAX_CITY_CHARS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    Residence,
    Domiciliation,
}

impl AddressKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressKind::Residence => "residence",
            AddressKind::Domiciliation => "domiciliation",
        }
    }

    pub fn parse(text: &str) -> Option<AddressKind> {
        match text.trim() {
            "residence" => Some(AddressKind::Residence),
            "domiciliation" => Some(AddressKind::Domiciliation),
            _ => None,
        }
    }
}

/// An address as typed.
#[derive(Clone, Default)]
pub struct TypedAddress {
    pub kind: String,
    pub care_of: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("say whether it is your own address or a domiciliation")]
    Kind,
    #[error("a domiciliation needs the organisation's name")]
    CareOf,
    #[error("the street is missing or too long")]
    Street,
    #[error("a French postal code has five digits")]
    PostalCode,
    #[error("the town is missing or too long")]
    City,
}

impl AddressError {
    pub fn code(self) -> Code {
        match self {
            AddressError::Kind => Code::AddressKind,
            AddressError::CareOf => Code::AddressCareOf,
            AddressError::Street => Code::AddressStreet,
            AddressError::PostalCode => Code::PostalCode,
            AddressError::City => Code::AddressCity,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeclareError {
    #[error(transparent)]
    Invalid(#[from] AddressError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl DeclareError {
    pub fn code(&self) -> Code {
        match self {
            DeclareError::Invalid(error) => error.code(),
            DeclareError::Storage(_) => Code::Unavailable,
        }
    }
}

/// Characters that change how the text around them is laid out without being seen: bidi
/// overrides and isolates, zero-width marks. An address is shown in right-to-left pages too,
/// and such a character could make it read as another.
fn is_invisible_layout(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// One printable line, spaces collapsed, within `max` characters; `None` if empty, too long or
/// holding control characters (a line break would forge a second line on an envelope) or
/// invisible layout characters.
fn line(text: &str, max: usize) -> Option<String> {
    if text
        .chars()
        .any(|c| c.is_control() || is_invisible_layout(c))
    {
        return None;
    }
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty() && collapsed.chars().count() <= max).then_some(collapsed)
}

/// The address checked and normalized (postal code without spaces, town as typed).
pub fn check(
    typed: &TypedAddress,
    applicant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<PostalAddress, AddressError> {
    let kind = AddressKind::parse(&typed.kind).ok_or(AddressError::Kind)?;
    // Optional for one's own address, required for a domiciliation; refused, never dropped,
    // when typed but not a plain line.
    let care_of = match (kind, typed.care_of.trim().is_empty()) {
        (AddressKind::Residence, true) => None,
        _ => Some(line(&typed.care_of, MAX_LINE_CHARS).ok_or(AddressError::CareOf)?),
    };
    let street = line(&typed.street, MAX_LINE_CHARS).ok_or(AddressError::Street)?;
    let postal_code: String = typed
        .postal_code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if postal_code.len() != 5 || !postal_code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AddressError::PostalCode);
    }
    let city = line(&typed.city, MAX_CITY_CHARS).ok_or(AddressError::City)?;
    Ok(PostalAddress {
        id: Uuid::new_v4(),
        applicant_id,
        kind: kind.as_str().to_owned(),
        care_of,
        street,
        postal_code,
        city,
        declared_at: now,
    })
}

/// Records the applicant's new address, audited in the same transaction.
pub async fn declare(
    storage: &dyn Storage,
    applicant_id: Uuid,
    typed: &TypedAddress,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<PostalAddress, DeclareError> {
    let address = check(typed, applicant_id, now)?;
    let audit = NewAuditEvent {
        actor_kind: ActorKind::Applicant,
        actor_id: Some(applicant_id),
        action: "postal_address_declared",
        target_kind: Some("applicant"),
        target_id: Some(applicant_id),
        ip_hash,
        succeeded: true,
    };
    storage.record_postal_address(&address, &audit).await?;
    Ok(address)
}

/// An address as it leaves the portal: the back office's API and the applicant's data export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeclaredAddress {
    /// `residence` or `domiciliation`.
    pub kind: String,
    /// A domiciliation's organisation (always there for one).
    pub care_of: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub declared_at: DateTime<Utc>,
}

impl From<PostalAddress> for DeclaredAddress {
    fn from(address: PostalAddress) -> Self {
        DeclaredAddress {
            kind: address.kind,
            care_of: address.care_of,
            street: address.street,
            postal_code: address.postal_code,
            city: address.city,
            declared_at: address.declared_at,
        }
    }
}

/// The address on one line, as staff and the receipt show it.
pub fn one_line(address: &PostalAddress) -> String {
    let mut parts = Vec::new();
    if let Some(care_of) = &address.care_of {
        parts.push(care_of.clone());
    }
    parts.push(address.street.clone());
    parts.push(format!("{} {}", address.postal_code, address.city));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(kind: &str, care_of: &str) -> TypedAddress {
        TypedAddress {
            kind: kind.into(),
            care_of: care_of.into(),
            street: "  12   rue de la   Paix ".into(),
            postal_code: "75 002".into(),
            city: "Paris".into(),
        }
    }

    #[test]
    fn an_address_is_normalized() {
        let address = check(&typed("residence", ""), Uuid::nil(), Utc::now()).unwrap();
        assert_eq!(address.street, "12 rue de la Paix");
        assert_eq!(address.postal_code, "75002");
        assert_eq!(address.care_of, None);
        assert_eq!(one_line(&address), "12 rue de la Paix, 75002 Paris");
        let domiciled = check(
            &typed("domiciliation", "France terre d'asile"),
            Uuid::nil(),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(
            one_line(&domiciled),
            "France terre d'asile, 12 rue de la Paix, 75002 Paris"
        );
    }

    #[test]
    fn bad_addresses_are_refused_with_the_field() {
        let now = Utc::now();
        let refused = |address: TypedAddress| check(&address, Uuid::nil(), now).unwrap_err();
        assert_eq!(refused(typed("castle", "")), AddressError::Kind);
        assert_eq!(refused(typed("domiciliation", " ")), AddressError::CareOf);
        let mut forged = typed("residence", "");
        forged.street = "12 rue\nBcc: x".into();
        assert_eq!(refused(forged), AddressError::Street);
        let mut reversed = typed("residence", "");
        reversed.city = "Paris\u{202E}sirap".into();
        assert_eq!(refused(reversed), AddressError::City);
        assert_eq!(
            refused(typed("residence", "chez\u{0007}moi")),
            AddressError::CareOf
        );
        let mut code = typed("residence", "");
        code.postal_code = "7500".into();
        assert_eq!(refused(code), AddressError::PostalCode);
        let mut city = typed("residence", "");
        city.city = "x".repeat(61);
        assert_eq!(refused(city), AddressError::City);
    }
}
