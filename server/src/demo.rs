//! Demo data for a developer's first run: one staff member and one applicant with a fresh
//! connection key, so that the portal can be tried at once. Production refuses it (see config).

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    accounts::registration::{CONNECTION_KEY_VALIDITY, RegistrationError, register_applicant},
    secret::Secret,
    staff::{self, StaffError},
    storage::{Actor, NewApplicant, StaffRole, Storage, StorageError},
};

pub const DEMO_STAFF_EMAIL: &str = "admin@demo.espace-usager.test";
pub const DEMO_FOREIGNER_NUMBER: &str = "0000000001";

/// What the person at the console needs to try the portal; shown once, never logged.
#[derive(Debug)]
pub struct DemoCredentials {
    pub staff_email: String,
    /// The one-time token of the staff member's enrolment link (password and TOTP app).
    pub staff_enrolment_token: Secret,
    pub foreigner_number: String,
    pub date_of_birth: NaiveDate,
    pub connection_key: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Staff(#[from] StaffError),
    #[error(transparent)]
    Registration(#[from] RegistrationError),
}

/// Creates the demo accounts if the database has no staff member yet; `None` when it has.
pub async fn create_demo_data_if_empty(
    storage: &dyn Storage,
    now: DateTime<Utc>,
) -> Result<Option<DemoCredentials>, DemoError> {
    if storage.count_staff_members().await? > 0 {
        return Ok(None);
    }
    let invited = staff::invite(
        storage,
        DEMO_STAFF_EMAIL,
        "Demo administrator",
        StaffRole::Administrator,
        None,
        now,
    )
    .await;
    let staff_enrolment_token = match invited {
        Ok((_, token)) => token,
        // Another instance seeded the same empty database a moment before us.
        Err(StaffError::Storage(StorageError::Conflict(_))) => return Ok(None),
        Err(error) => return Err(error.into()),
    };

    let date_of_birth = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid date");
    let registration = NewApplicant {
        foreigner_number: Some(DEMO_FOREIGNER_NUMBER.into()),
        file_number: None,
        given_names: "Amina".into(),
        family_name: "Demo".into(),
        date_of_birth,
        preferred_language: "fr".into(),
        electronic_notification: true,
        given: Default::default(),
    };
    let issued = register_applicant(
        storage,
        registration,
        Actor::system(),
        CONNECTION_KEY_VALIDITY,
        now,
    )
    .await?;
    tracing::info!("demo staff member and applicant created");
    Ok(Some(DemoCredentials {
        staff_email: DEMO_STAFF_EMAIL.into(),
        staff_enrolment_token,
        foreigner_number: DEMO_FOREIGNER_NUMBER.into(),
        date_of_birth,
        connection_key: Secret::new(issued.key.display()),
    }))
}
