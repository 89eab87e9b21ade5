-- Staff members, applicants and their one-time connection keys.

CREATE TABLE staff_members (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'administrator')),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE applicants (
    id UUID PRIMARY KEY,
    foreigner_number TEXT UNIQUE CHECK (foreigner_number IS NULL OR length(foreigner_number) = 10),
    file_number TEXT UNIQUE,
    given_names TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    preferred_language TEXT NOT NULL,
    electronic_notification BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (foreigner_number IS NOT NULL OR file_number IS NOT NULL)
);

CREATE TABLE connection_keys (
    id UUID PRIMARY KEY,
    applicant_id UUID NOT NULL REFERENCES applicants (id),
    key_hash TEXT NOT NULL UNIQUE,
    issued_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX connection_keys_by_applicant ON connection_keys (applicant_id);
