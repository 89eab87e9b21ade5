//! The domain side of the back-office API: the scoped keys its callers hold. The routes live in
//! the `espace-usager` crate (`src/back_office_api`).

pub mod api_keys;
