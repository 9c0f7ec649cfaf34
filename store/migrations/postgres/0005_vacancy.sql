-- An election for seats left vacant (a recall with no alternate) fills
-- only those seats and leaves the rest of the delegation in place.
ALTER TABLE elections ADD COLUMN vacancy BOOLEAN NOT NULL DEFAULT FALSE;
