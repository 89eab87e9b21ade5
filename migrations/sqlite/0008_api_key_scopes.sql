-- What each back-office key may do, space-separated (`applicants:write documents:write
-- documents:read`). Keys made before scopes existed could only register applicants.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'applicants:write';

-- The acknowledgement export looks documents up by when they were opened or made available.
CREATE INDEX documents_by_first_opening ON documents (first_opened_at);
CREATE INDEX documents_by_availability ON documents (made_available_at);
