-- Server-side sessions (revocable at once) and the append-only audit log.

CREATE TABLE sessions (
    id BLOB PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('applicant', 'staff')),
    subject_id BLOB NOT NULL,
    shared_device INTEGER NOT NULL CHECK (shared_device IN (0, 1)),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    idle_expires_at TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE INDEX sessions_by_subject ON sessions (subject_kind, subject_id);

CREATE TABLE audit_events (
    id BLOB PRIMARY KEY NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('applicant', 'staff', 'api_key', 'system', 'anonymous')),
    actor_id BLOB,
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id BLOB,
    ip_hash TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure'))
);

CREATE INDEX audit_events_by_time ON audit_events (occurred_at);

-- Append-only: the database itself refuses to change or remove an event.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
