-- An applicant's account is activated once, with the connection key, by choosing a password.
ALTER TABLE applicants ADD COLUMN password_hash TEXT;
ALTER TABLE applicants ADD COLUMN activated_at TEXT;
