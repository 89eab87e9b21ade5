-- An email or phone the applicant replaced or removed, kept for the cooling-off period (72 h):
-- password reset codes still reach it, and a reset completed meanwhile puts it back, so a
-- change made by someone who had the password can be undone by the person who owned the
-- address. Rows older than the period are forgotten (the hourly purge, the next change).
CREATE TABLE replaced_contacts (
    id UUID PRIMARY KEY NOT NULL,
    applicant_id UUID NOT NULL REFERENCES applicants (id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    value TEXT NOT NULL,
    replaced_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX replaced_contacts_by_applicant ON replaced_contacts (applicant_id, replaced_at);
CREATE INDEX replaced_contacts_by_age ON replaced_contacts (replaced_at);
