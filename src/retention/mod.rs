//! Retention on the HTTP side: closing and reopening an account, and the applicant's data export.

pub(crate) mod retention_routes;
