-- What a notice says, as data beside its PDF (a decision's outcome; an interview's date, time and
-- place), shown in the applicant's language in the inbox. JSON written by the application;
-- NULL for kinds that have none.
ALTER TABLE documents ADD COLUMN facts TEXT;
