//! Documents over HTTP: staff posting, replacing and withdrawing them, applicants and staff
//! reading them, and the printable acknowledgement of receipt.

pub(crate) mod acknowledgement_pdf;
pub(crate) mod document_routes;
pub(crate) mod interview_routes;
