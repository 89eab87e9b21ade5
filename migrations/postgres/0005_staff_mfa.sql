-- Staff sign-in: mandatory TOTP (the last step used, so that a code never works twice),
-- one-time enrolment links stored as hashes, and accounts that can be disabled.
-- A member invited but not yet enrolled has an empty password_hash: nothing can match it.
ALTER TABLE staff_members ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_members ADD COLUMN totp_last_step BIGINT;
ALTER TABLE staff_members ADD COLUMN enrolled_at TIMESTAMPTZ;
ALTER TABLE staff_members ADD COLUMN disabled_at TIMESTAMPTZ;

CREATE TABLE staff_enrolments (
    id UUID PRIMARY KEY,
    staff_member_id UUID NOT NULL REFERENCES staff_members (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
