-- Counters and flags on motions and delegates' votes change at every vote
-- and recall; room left in each page lets PostgreSQL update those rows in
-- place (heap-only tuples) without touching their indexes.
ALTER TABLE motions SET (fillfactor = 70);
ALTER TABLE delegate_votes SET (fillfactor = 80);
ALTER TABLE recalls SET (fillfactor = 80);
ALTER TABLE elections SET (fillfactor = 80);
