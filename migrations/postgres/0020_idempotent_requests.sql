-- Pushes sent with an `Idempotency-Key`: one row per API key and idempotency key, claimed
-- before the push runs (the primary key lets only one instance claim it), then holding the
-- answer to give again to a retry of the same request. Forgotten after 24 hours.
CREATE TABLE idempotent_requests (
    api_key_id UUID NOT NULL REFERENCES api_keys (id),
    idempotency_key TEXT NOT NULL,
    -- SHA-256 of the request as the portal read it (route, fields and file contents).
    fingerprint TEXT NOT NULL,
    -- Which request holds the claim: only it may answer or let go of the key.
    claim_token UUID NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    -- Both NULL while the first request runs.
    status BIGINT,
    answer TEXT,
    PRIMARY KEY (api_key_id, idempotency_key)
);
CREATE INDEX idempotent_requests_by_age ON idempotent_requests (claimed_at);
