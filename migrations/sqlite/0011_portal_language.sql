-- The language the applicant reads the portal in, as picked with the language picker. It is the
-- language of their emails, texts and push alerts; preferred_language stays as the office
-- recorded it at registration (it serves interpreting, and may be one the portal does not speak).
ALTER TABLE applicants ADD COLUMN portal_language TEXT;
