-- The reminder job reads unopened documents a few hundred at a time, resuming after the last
-- one it looked at (date, then id). With the date alone in the index the cursor was no range:
-- each read went over every due document after it and sorted them to keep a few hundred, so a
-- first pass over a large base was quadratic. With the id in the index a read is one range in
-- index order, stopped after its few hundred.
DROP INDEX documents_awaiting_opening;
CREATE INDEX documents_awaiting_opening ON documents (made_available_at, id) WHERE first_opened_at IS NULL AND withdrawn_at IS NULL;
