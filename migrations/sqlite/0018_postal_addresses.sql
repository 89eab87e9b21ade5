-- Where the applicant receives paper mail: their own address or a domiciliation (an
-- association's address). Every declaration is kept, newest last: staff see the history, the
-- back office reads the current one. The account and its rows go together at erasure.
CREATE TABLE postal_addresses (
    id BLOB PRIMARY KEY NOT NULL,
    applicant_id BLOB NOT NULL REFERENCES applicants (id),
    kind TEXT NOT NULL CHECK (kind IN ('residence', 'domiciliation')),
    care_of TEXT,
    street TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    declared_at TEXT NOT NULL
);
CREATE INDEX postal_addresses_by_applicant ON postal_addresses (applicant_id, declared_at);
