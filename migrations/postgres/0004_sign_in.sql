-- Sign-in: verified contact, attempt throttles shared by every instance, one-time codes and
-- remembered devices. Codes and device tokens are stored as hashes only.
ALTER TABLE applicants ADD COLUMN email TEXT;
ALTER TABLE applicants ADD COLUMN email_verified_at TIMESTAMPTZ;

-- One row per protected thing: an identifier, a client address, a code's subject...
CREATE TABLE attempt_throttles (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL CHECK (failures >= 0),
    window_started_at TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_at TIMESTAMPTZ
);

CREATE TABLE one_time_codes (
    id UUID PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('applicant', 'staff')),
    subject_id UUID NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('sign_in', 'verify_email', 'password_reset')),
    destination TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    used_at TIMESTAMPTZ,
    superseded_at TIMESTAMPTZ
);

CREATE INDEX one_time_codes_by_subject ON one_time_codes (subject_kind, subject_id, purpose);

CREATE TABLE remembered_devices (
    id UUID PRIMARY KEY,
    applicant_id UUID NOT NULL REFERENCES applicants (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX remembered_devices_by_applicant ON remembered_devices (applicant_id);
