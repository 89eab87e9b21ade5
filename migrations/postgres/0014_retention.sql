-- Retention (GDPR): a closed account is erased some time after it was closed, and documents of
-- some kinds some time after they were made available. Erasing deletes the rows that hold
-- personal data; what stays is one `erasures` row per thing erased: ids, kind and the dates that
-- prove a notification, nothing that names a person.

ALTER TABLE applicants ADD COLUMN closed_at TIMESTAMPTZ;
ALTER TABLE applicants ADD COLUMN closed_by_id UUID;
CREATE INDEX applicants_closed ON applicants (closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE erasures (
    id UUID PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('applicant', 'document')),
    subject_id UUID NOT NULL UNIQUE,
    -- The applicant's id (no longer tied to a name once the account is erased).
    applicant_id UUID NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('account_closed', 'document_retention')),
    document_kind TEXT,
    sha256 TEXT,
    made_available_at TIMESTAMPTZ,
    first_opened_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    erased_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX erasures_by_applicant ON erasures (applicant_id);

-- Objects to delete from the document store, written in the transaction that erases their rows
-- (the row's wrapped key goes with it, so the object is unreadable from then on); the purge job
-- deletes the objects and then these rows, so a crash in between only means a retry.
CREATE TABLE object_deletions (
    object_key TEXT PRIMARY KEY NOT NULL,
    queued_at TIMESTAMPTZ NOT NULL
);

-- The retention job finds documents of a kind made available before a date.
CREATE INDEX documents_by_kind ON documents (kind, made_available_at);

-- An applicant's access request lists the audit events about them.
CREATE INDEX audit_events_by_actor ON audit_events (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_events_by_target ON audit_events (target_id) WHERE target_id IS NOT NULL;
