-- Contact settings and channels: a verified phone beside the verified email, the channels the
-- applicant wants (email, SMS; the in-app notice is always there), the phones subscribed to
-- Web Push, and the outbox rows per channel.

ALTER TABLE applicants ADD COLUMN phone TEXT;
ALTER TABLE applicants ADD COLUMN phone_verified_at TIMESTAMPTZ;
ALTER TABLE applicants ADD COLUMN notify_by_email BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE applicants ADD COLUMN notify_by_sms BOOLEAN NOT NULL DEFAULT TRUE;

ALTER TABLE one_time_codes DROP CONSTRAINT one_time_codes_purpose_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_purpose_check
    CHECK (purpose IN ('sign_in', 'verify_email', 'verify_phone', 'password_reset'));

-- in_app rows are the notices of the notification centre: "sent" when queued, then read.
ALTER TABLE notifications DROP CONSTRAINT notifications_channel_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check
    CHECK (channel IN ('email', 'sms', 'push', 'in_app'));
ALTER TABLE notifications ADD COLUMN read_at TIMESTAMPTZ;
DROP INDEX notifications_once_per_reason;
-- One message per reason, channel and document, however many instances queue reminders.
CREATE UNIQUE INDEX notifications_once_per_reason ON notifications (document_id, reason, channel);
-- The unread badge on every applicant page.
CREATE INDEX notifications_unread ON notifications (applicant_id, channel, read_at);

-- Browsers that asked for Web Push (RFC 8030): where to post, and the keys that encrypt the
-- (content-free) message for that browser only. One browser, one row: a shared phone's browser
-- moves to whoever subscribed it last.
CREATE TABLE push_subscriptions (
    id UUID PRIMARY KEY NOT NULL,
    applicant_id UUID NOT NULL REFERENCES applicants (id),
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX push_subscriptions_by_applicant ON push_subscriptions (applicant_id);
