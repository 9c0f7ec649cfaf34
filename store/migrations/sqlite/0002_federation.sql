-- Assemblies and affiliations. An assembly is a body of kind 'assembly'
-- with a level and a seat rule; 'represented' is the number of members a
-- body stands for: its own members for a committee, the sum of its
-- affiliated bodies' for an assembly.
ALTER TABLE bodies ADD COLUMN level TEXT NOT NULL DEFAULT '';
ALTER TABLE bodies ADD COLUMN seat_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE bodies ADD COLUMN seat_fixed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bodies ADD COLUMN seat_per INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bodies ADD COLUMN seat_min INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bodies ADD COLUMN seat_max INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bodies ADD COLUMN represented INTEGER NOT NULL DEFAULT 0;
UPDATE bodies SET represented = members WHERE kind <> 'assembly';

CREATE TABLE affiliations (
    id           INTEGER PRIMARY KEY,
    assembly_id  INTEGER NOT NULL REFERENCES bodies(id),
    body_id      INTEGER NOT NULL REFERENCES bodies(id),
    status       TEXT    NOT NULL, -- pending, accepted, refused, ended
    seats        INTEGER NOT NULL DEFAULT 0,
    message      TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    requested_by INTEGER NOT NULL,
    decided_by   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX affiliations_open ON affiliations(assembly_id, body_id) WHERE status IN ('pending', 'accepted');
CREATE INDEX affiliations_body ON affiliations(body_id, status);
CREATE INDEX affiliations_assembly ON affiliations(assembly_id, status);
