-- Server-side sessions (revocable at once) and the append-only audit log.

CREATE TABLE sessions (
    id UUID PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('applicant', 'staff')),
    subject_id UUID NOT NULL,
    shared_device BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    idle_expires_at TIMESTAMPTZ NOT NULL,
    absolute_expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX sessions_by_subject ON sessions (subject_kind, subject_id);

CREATE TABLE audit_events (
    id UUID PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('applicant', 'staff', 'api_key', 'system', 'anonymous')),
    actor_id UUID,
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id UUID,
    ip_hash TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure'))
);

CREATE INDEX audit_events_by_time ON audit_events (occurred_at);

-- Append-only: the database itself refuses to change or remove an event.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;

CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
