//! What the portal reads from people and systems it does not control: uploaded PDFs
//! (`pdf_inspection`), the back-office's bulk manifests (`bulk_manifest`), session tokens from
//! cookies (`session_token`, with the `signing_keys` that check them) and typed connection keys
//! (`connection_key`), with the document kinds and notice facts a manifest names.
//!
//! It lives apart from `server`, with few dependencies, so that `fuzz/` can build and run it in
//! seconds. `server` re-exports every module where it used to be.

pub mod bulk_manifest;
pub mod connection_key;
pub mod kind;
pub mod notice_facts;
pub mod pdf_inspection;
pub mod session_token;
pub mod signing_keys;
pub mod title;

pub use kind::{DOCUMENT_KINDS, DocumentKind, KindInfo};
