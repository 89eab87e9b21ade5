//! Where applicants reach the office: shown on the help page and in the accessibility statement.
//! Each office sets its own (`EU_OFFICE_ADDRESS`, `EU_OFFICE_EMAIL`, `EU_OFFICE_PHONE`); a
//! development run shows example ones so the page looks as it will.

use crate::config::{ConfigError, Mode};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficeContact {
    /// The postal address, its lines as written on an envelope.
    pub address: Vec<String>,
    pub email: Option<String>,
    /// As dialled from abroad too: `+33 1 58 68 10 10`.
    pub phone: Option<String>,
}

impl OfficeContact {
    pub fn is_empty(&self) -> bool {
        self.address.is_empty() && self.email.is_none() && self.phone.is_none()
    }

    /// The phone number for a `tel:` link: the `+` and the digits.
    pub fn phone_link(&self) -> Option<String> {
        self.phone.as_ref().map(|phone| {
            phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect()
        })
    }

    fn example() -> OfficeContact {
        OfficeContact {
            address: vec![
                "Office de protection (exemple)".into(),
                "1 rue de l'Exemple".into(),
                "75000 Paris".into(),
            ],
            email: Some("contact@office.example".into()),
            phone: Some("+33 1 00 00 00 00".into()),
        }
    }

    pub(crate) fn from_lookup(
        mode: Mode,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<OfficeContact, ConfigError> {
        let address = var("EU_OFFICE_ADDRESS");
        let email = var("EU_OFFICE_EMAIL");
        let phone = var("EU_OFFICE_PHONE");
        if mode == Mode::Development && address.is_none() && email.is_none() && phone.is_none() {
            return Ok(OfficeContact::example());
        }
        let address = match address {
            None => Vec::new(),
            // Lines are separated by `|`: environment variables hold one line.
            Some(text) if !text.chars().any(char::is_control) && text.chars().count() <= 300 => {
                text.split('|')
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            Some(_) => {
                return Err(ConfigError::new(
                    "EU_OFFICE_ADDRESS",
                    "must be one line of up to 300 characters, its lines separated by |",
                ));
            }
        };
        let email = match email {
            None => None,
            Some(email) if email.parse::<lettre::Address>().is_ok() => {
                Some(email.trim().to_owned())
            }
            Some(_) => {
                return Err(ConfigError::new(
                    "EU_OFFICE_EMAIL",
                    "must be an email address such as contact@office.example",
                ));
            }
        };
        let phone = match phone {
            None => None,
            Some(phone)
                if phone.trim().starts_with('+')
                    && phone.chars().filter(char::is_ascii_digit).count() >= 6
                    && phone
                        .trim()
                        .chars()
                        .skip(1)
                        .all(|c| c.is_ascii_digit() || " .-()".contains(c)) =>
            {
                Some(phone.trim().to_owned())
            }
            Some(_) => {
                return Err(ConfigError::new(
                    "EU_OFFICE_PHONE",
                    "must be an international number such as +33 1 58 68 10 10",
                ));
            }
        };
        Ok(OfficeContact {
            address,
            email,
            phone,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(mode: Mode, pairs: &[(&str, &str)]) -> Result<OfficeContact, ConfigError> {
        OfficeContact::from_lookup(mode, |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn an_office_sets_its_contact_and_development_shows_an_example() {
        let contact = read(
            Mode::Production,
            &[
                (
                    "EU_OFFICE_ADDRESS",
                    "OFPRA | 201 rue Carnot | 94136 Fontenay-sous-Bois Cedex",
                ),
                ("EU_OFFICE_EMAIL", "contact@ofpra.example"),
                ("EU_OFFICE_PHONE", "+33 (0)1 58 68 10 10"),
            ],
        )
        .unwrap();
        assert_eq!(contact.address.len(), 3);
        assert_eq!(contact.address[1], "201 rue Carnot");
        assert_eq!(contact.phone_link().as_deref(), Some("+330158681010"));
        assert!(read(Mode::Production, &[]).unwrap().is_empty());
        assert_eq!(
            read(Mode::Development, &[]).unwrap(),
            OfficeContact::example()
        );
    }

    #[test]
    fn a_malformed_contact_is_refused_by_name() {
        for (variable, value) in [
            ("EU_OFFICE_EMAIL", "not an address"),
            ("EU_OFFICE_PHONE", "01 58 68 10 10"),
            ("EU_OFFICE_PHONE", "+33 call us"),
            ("EU_OFFICE_ADDRESS", "line\nbreak"),
        ] {
            let error = read(Mode::Production, &[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable);
        }
    }
}
