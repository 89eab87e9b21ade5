-- Documents posted in applicants' accounts. The content is in the object store, encrypted with
-- a per-document key kept here wrapped by a master key. Nothing here is ever deleted: a
-- withdrawal is recorded on the row, and a replacement points at the document it replaces.

CREATE TABLE documents (
    id UUID PRIMARY KEY,
    applicant_id UUID NOT NULL REFERENCES applicants (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    object_key TEXT NOT NULL UNIQUE,
    master_key_id TEXT NOT NULL,
    wrapped_key TEXT NOT NULL,
    uploaded_by_kind TEXT NOT NULL CHECK (uploaded_by_kind IN ('staff', 'api_key', 'system')),
    uploaded_by_id UUID,
    -- 'not_scanned' where no virus scanner is configured; 'pending' while it is unreachable.
    scan_status TEXT NOT NULL CHECK (scan_status IN ('not_scanned', 'pending', 'clean', 'infected')),
    -- Set once the document is in the applicant's account (after the scan, if any).
    made_available_at TIMESTAMPTZ,
    first_opened_at TIMESTAMPTZ,
    withdrawn_at TIMESTAMPTZ,
    withdrawn_by_id UUID,
    withdrawal_reason TEXT,
    replaces_id UUID REFERENCES documents (id)
);

CREATE INDEX documents_by_applicant ON documents (applicant_id, made_available_at);

-- The same file twice in one account is a mistake: the second upload is refused.
CREATE UNIQUE INDEX documents_same_content ON documents (applicant_id, sha256) WHERE withdrawn_at IS NULL;

-- The audit log becomes a hash chain: each event carries the hash of the one before it, so an
-- edit or removal made behind the application's back shows up when the chain is verified.
ALTER TABLE audit_events ADD COLUMN sequence BIGINT;
ALTER TABLE audit_events ADD COLUMN previous_hash TEXT;
ALTER TABLE audit_events ADD COLUMN event_hash TEXT;
CREATE UNIQUE INDEX audit_events_by_sequence ON audit_events (sequence);

-- One row: the end of the chain. Appending locks it, so events chain in one order across instances.
CREATE TABLE audit_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sequence BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

INSERT INTO audit_chain_head (id, sequence, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
