-- Staff sign-in: mandatory TOTP (the last step used, so that a code never works twice),
-- one-time enrolment links stored as hashes, and accounts that can be disabled.
-- A member invited but not yet enrolled has an empty password_hash: nothing can match it.
ALTER TABLE staff_members ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_members ADD COLUMN totp_last_step INTEGER;
ALTER TABLE staff_members ADD COLUMN enrolled_at TEXT;
ALTER TABLE staff_members ADD COLUMN disabled_at TEXT;

CREATE TABLE staff_enrolments (
    id BLOB PRIMARY KEY NOT NULL,
    staff_member_id BLOB NOT NULL REFERENCES staff_members (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
