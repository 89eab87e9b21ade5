-- Contact settings and channels: a verified phone beside the verified email, the channels the
-- applicant wants (email, SMS; the in-app notice is always there), the phones subscribed to
-- Web Push, and the outbox rows per channel. SQLite cannot change a CHECK constraint, so the
-- two tables concerned are rebuilt.

ALTER TABLE applicants ADD COLUMN phone TEXT;
ALTER TABLE applicants ADD COLUMN phone_verified_at TEXT;
ALTER TABLE applicants ADD COLUMN notify_by_email BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE applicants ADD COLUMN notify_by_sms BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE one_time_codes_new (
    id BLOB PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('applicant', 'staff')),
    subject_id BLOB NOT NULL,
    purpose TEXT NOT NULL
        CHECK (purpose IN ('sign_in', 'verify_email', 'verify_phone', 'password_reset')),
    destination TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    used_at TEXT,
    superseded_at TEXT
);
INSERT INTO one_time_codes_new SELECT id, subject_kind, subject_id, purpose, destination,
    code_hash, created_at, expires_at, failed_attempts, used_at, superseded_at FROM one_time_codes;
DROP TABLE one_time_codes;
ALTER TABLE one_time_codes_new RENAME TO one_time_codes;
CREATE INDEX one_time_codes_by_subject ON one_time_codes (subject_kind, subject_id, purpose);

CREATE TABLE notifications_new (
    id BLOB PRIMARY KEY NOT NULL,
    applicant_id BLOB NOT NULL REFERENCES applicants (id),
    document_id BLOB REFERENCES documents (id),
    -- in_app rows are the notices of the notification centre: "sent" when queued, then read.
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app')),
    reason TEXT NOT NULL DEFAULT 'new_document',
    -- queued: waiting or being retried; sent; skipped: nowhere to send it (the reason is kept
    -- in last_error); dead: gave up.
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'skipped', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    read_at TEXT
);
INSERT INTO notifications_new (id, applicant_id, document_id, channel, reason, status, attempts,
    next_attempt_at, locked_until, last_error, created_at, sent_at)
    SELECT id, applicant_id, document_id, channel, reason, status, attempts, next_attempt_at,
    locked_until, last_error, created_at, sent_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_applicant ON notifications (applicant_id, created_at);
-- One message per reason, channel and document, however many instances queue reminders.
CREATE UNIQUE INDEX notifications_once_per_reason ON notifications (document_id, reason, channel);
-- The unread badge on every applicant page.
CREATE INDEX notifications_unread ON notifications (applicant_id, channel, read_at);

-- Browsers that asked for Web Push (RFC 8030): where to post, and the keys that encrypt the
-- (content-free) message for that browser only. One browser, one row: a shared phone's browser
-- moves to whoever subscribed it last.
CREATE TABLE push_subscriptions (
    id BLOB PRIMARY KEY NOT NULL,
    applicant_id BLOB NOT NULL REFERENCES applicants (id),
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX push_subscriptions_by_applicant ON push_subscriptions (applicant_id);
