-- The coordinating view's figures, kept as they change: how many actions of
-- each department, kind, status and visibility each body sees under it, so
-- that an assembly with 50,000 actions sums a few hundred rows instead of
-- counting its scope. Kept in step with action_scope by the store.
CREATE TABLE action_counts (
    assembly_id BIGINT NOT NULL,
    department  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    public      BOOLEAN NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (assembly_id, department, kind, status, public)
);
INSERT INTO action_counts (assembly_id, department, kind, status, public, n)
SELECT assembly_id, department, kind, status, public, COUNT(*) FROM action_scope
GROUP BY assembly_id, department, kind, status, public;

-- A span of dates (a filter, a day's summary) reads the scope by start,
-- with what it counts by, from this narrow index.
CREATE INDEX action_scope_dates ON action_scope(assembly_id, starts, department, kind, status, public);
