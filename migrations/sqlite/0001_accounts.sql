-- Staff members, applicants and their one-time connection keys.
-- Timestamps are ISO-8601 text written by the application (UTC); ids are UUIDs as 16-byte blobs.

CREATE TABLE staff_members (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'administrator')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE applicants (
    id BLOB PRIMARY KEY NOT NULL,
    foreigner_number TEXT UNIQUE CHECK (foreigner_number IS NULL OR length(foreigner_number) = 10),
    file_number TEXT UNIQUE,
    given_names TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    preferred_language TEXT NOT NULL,
    electronic_notification INTEGER NOT NULL CHECK (electronic_notification IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK (foreigner_number IS NOT NULL OR file_number IS NOT NULL)
);

CREATE TABLE connection_keys (
    id BLOB PRIMARY KEY NOT NULL,
    applicant_id BLOB NOT NULL REFERENCES applicants (id),
    key_hash TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);

CREATE INDEX connection_keys_by_applicant ON connection_keys (applicant_id);
