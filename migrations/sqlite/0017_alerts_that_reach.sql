-- The email and mobile number the applicant gave when registering, typed by staff or sent by
-- the back office: not verified by the applicant, so they only ever receive content-free
-- alerts (never a sign-in or reset code). Cleared when the applicant verifies a contact of the
-- same kind, or removes it from the account.
ALTER TABLE applicants ADD COLUMN given_email TEXT;
ALTER TABLE applicants ADD COLUMN given_phone TEXT;
-- Interview reminders give the date and time only if the applicant asked for it: a shared
-- phone must not reveal an asylum interview.
ALTER TABLE applicants ADD COLUMN detailed_reminders BOOLEAN NOT NULL DEFAULT FALSE;

-- When a summons' interview starts, out of its facts, so that the reminder job finds the
-- interviews of the next hours through an index instead of reading every summons.
ALTER TABLE documents ADD COLUMN appointment_at TEXT;
UPDATE documents SET appointment_at =
    strftime('%Y-%m-%dT%H:%M:%S', json_extract(facts, '$.appointment_at')) || '+00:00'
    WHERE facts IS NOT NULL AND json_extract(facts, '$.appointment_at') IS NOT NULL;
CREATE INDEX documents_upcoming_interviews ON documents (appointment_at)
    WHERE appointment_at IS NOT NULL AND withdrawn_at IS NULL;
