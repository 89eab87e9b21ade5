//! Demo data for a developer's first run: one staff member and one applicant with a fresh
//! connection key, so that the portal can be tried at once. Production refuses it (see config).

use chrono::{NaiveDate, Utc};

use crate::{
    password::{generate_password, hash_password},
    registration::{RegistrationError, register_applicant},
    secret::Secret,
    storage::{NewApplicant, NewStaffMember, StaffRole, Storage, StorageError},
};

pub const DEMO_STAFF_EMAIL: &str = "admin@demo.espace-usager.test";
pub const DEMO_FOREIGNER_NUMBER: &str = "0000000001";

/// What the person at the console needs to try the portal; shown once, never logged.
#[derive(Debug)]
pub struct DemoCredentials {
    pub staff_email: String,
    pub staff_password: Secret,
    pub foreigner_number: String,
    pub date_of_birth: NaiveDate,
    pub connection_key: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Password(#[from] crate::password::PasswordError),
    #[error(transparent)]
    Registration(#[from] RegistrationError),
}

/// Creates the demo accounts if the database has no staff member yet; `None` when it has.
pub async fn create_demo_data_if_empty(
    storage: &dyn Storage,
) -> Result<Option<DemoCredentials>, DemoError> {
    if storage.count_staff_members().await? > 0 {
        return Ok(None);
    }
    let staff_password = generate_password();
    let staff = NewStaffMember {
        email: DEMO_STAFF_EMAIL.into(),
        display_name: "Demo administrator".into(),
        role: StaffRole::Administrator,
        password_hash: hash_password(staff_password.clone()).await?,
    };
    match storage.insert_staff_member(&staff).await {
        Ok(_) => {}
        // Another instance seeded the same empty database a moment before us.
        Err(StorageError::Conflict(_)) => return Ok(None),
        Err(error) => return Err(error.into()),
    }

    let date_of_birth = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid date");
    let registration = NewApplicant {
        foreigner_number: Some(DEMO_FOREIGNER_NUMBER.into()),
        file_number: None,
        given_names: "Amina".into(),
        family_name: "Demo".into(),
        date_of_birth,
        preferred_language: "fr".into(),
        electronic_notification: true,
    };
    let (_, key) = register_applicant(storage, registration, None, Utc::now()).await?;
    tracing::info!("demo staff member and applicant created");
    Ok(Some(DemoCredentials {
        staff_email: DEMO_STAFF_EMAIL.into(),
        staff_password,
        foreigner_number: DEMO_FOREIGNER_NUMBER.into(),
        date_of_birth,
        connection_key: Secret::new(key.display()),
    }))
}
