-- The at-risk list's interviews: unopened summonses by interview time. The index of every
-- interview (0017) serves the reminder job, which reminds opened summonses too; read for the
-- list, it walked every interview of the next 20 days to keep the few unopened ones (about
-- 300 ms at a million applicants).
CREATE INDEX documents_unopened_interviews ON documents (appointment_at)
    WHERE appointment_at IS NOT NULL AND first_opened_at IS NULL AND withdrawn_at IS NULL;
