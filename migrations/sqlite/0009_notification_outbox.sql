-- The durable outbox: one row per message to deliver, written in the same transaction as the
-- document it announces, so a document is never posted without its notification nor the other
-- way round. Workers on every instance claim due rows for a short lease, deliver them, and
-- record the outcome; a row whose worker died is claimed again when its lease runs out. The
-- row's id is the message's idempotency key (its Message-ID).

CREATE TABLE notifications (
    id BLOB PRIMARY KEY NOT NULL,
    applicant_id BLOB NOT NULL REFERENCES applicants (id),
    document_id BLOB REFERENCES documents (id),
    channel TEXT NOT NULL CHECK (channel IN ('email')),
    -- 'new_document', or 'reminder_<days>' for a notifying document still unopened that many
    -- days after it was made available.
    reason TEXT NOT NULL DEFAULT 'new_document',
    -- queued: waiting or being retried; sent; skipped: no verified address; dead: gave up.
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'skipped', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);

CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_applicant ON notifications (applicant_id, created_at);
-- One message per reason and document, however many instances queue reminders at once.
CREATE UNIQUE INDEX notifications_once_per_reason ON notifications (document_id, reason);
