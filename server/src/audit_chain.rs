//! Verifies the audit log's hash chain: every event's hash is recomputed from its fields and
//! the previous hash, sequence numbers must follow each other, and the chain must end where the
//! head row says, so edits, removals, insertions and a cut-off tail all show.

use crate::storage::{GENESIS_HASH, Storage, StorageError};

const PAGE: i64 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// How many chained events were checked.
    pub verified: i64,
    pub last_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("event {expected} of the audit chain is missing (found {found} instead)")]
    Missing { expected: i64, found: i64 },
    #[error("audit event {sequence} does not point at the event before it")]
    BrokenLink { sequence: i64 },
    #[error("audit event {sequence} was changed after it was written")]
    Altered { sequence: i64 },
    #[error("the audit chain ends at event {found}, but {expected} were written")]
    CutShort { expected: i64, found: i64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub async fn verify(storage: &dyn Storage) -> Result<ChainReport, ChainError> {
    // The head first: events appended while we read are beyond it and left for the next run.
    let (head_sequence, head_hash) = storage.audit_chain_head().await?;
    let mut expected = 1;
    let mut previous = GENESIS_HASH.to_owned();
    'pages: loop {
        let events = storage.audit_chain_after(expected - 1, PAGE).await?;
        if events.is_empty() {
            break;
        }
        for event in events {
            let sequence = event.sequence.unwrap_or_default();
            if sequence > head_sequence {
                break 'pages;
            }
            if sequence != expected {
                return Err(ChainError::Missing {
                    expected,
                    found: sequence,
                });
            }
            if event.previous_hash.as_deref() != Some(previous.as_str()) {
                return Err(ChainError::BrokenLink { sequence });
            }
            let recomputed = event.chain_hash(sequence, &previous);
            if event.event_hash.as_deref() != Some(recomputed.as_str()) {
                return Err(ChainError::Altered { sequence });
            }
            previous = recomputed;
            expected += 1;
        }
    }
    let verified = expected - 1;
    if verified != head_sequence || previous != head_hash {
        return Err(ChainError::CutShort {
            expected: head_sequence,
            found: verified,
        });
    }
    Ok(ChainReport {
        verified,
        last_hash: previous,
    })
}
