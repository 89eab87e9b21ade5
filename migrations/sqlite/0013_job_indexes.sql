-- Indexes the national benchmark (10 million documents) showed missing. Both are partial: they
-- hold only the rows their job looks for.

-- The rescan job looks every minute for documents a virus scanner has not judged yet; without
-- this it read the whole table in id order to find none.
CREATE INDEX documents_pending_scan ON documents (id) WHERE scan_status = 'pending' AND withdrawn_at IS NULL;

-- The reminder job looks every minute for documents made available a few days ago and not
-- opened. It walked every unopened document ever posted (through the first-opening index, which
-- held the NULLs), inside a write transaction that held sign-ins back for seconds. Now the
-- unopened ones have their own index by date, and the first-opening index (for the
-- acknowledgement export's date ranges) holds opened documents only.
CREATE INDEX documents_awaiting_opening ON documents (made_available_at) WHERE first_opened_at IS NULL AND withdrawn_at IS NULL;
DROP INDEX documents_by_first_opening;
CREATE INDEX documents_by_first_opening ON documents (first_opened_at) WHERE first_opened_at IS NOT NULL;
