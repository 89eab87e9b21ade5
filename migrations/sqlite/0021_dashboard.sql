-- The staff dashboard's figures, computed by one instance at a time every few minutes and read
-- by every page view: a single row, so counting ten million documents never sits on a request.
CREATE TABLE dashboard_figures (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    computed_at TEXT,
    -- JSON: counts only, never a name, number or title.
    figures TEXT,
    -- The instance computing new figures holds this until then (it may have died).
    claimed_until TEXT
);
INSERT INTO dashboard_figures (id) VALUES (1);

-- Messages by channel and outcome over the weeks shown, read from the index alone.
CREATE INDEX notifications_by_creation ON notifications (created_at, channel, status);
