//! The domain side of the back-office API: the scoped keys its callers hold, and idempotent
//! pushes. The routes live in the `espace-usager` crate (`src/back_office_api`).

pub mod api_keys;
pub mod idempotency;
