-- Nothing to do on SQLite: the PostgreSQL migration of this version leaves
-- room in pages for in-place updates. The version numbers stay in step.
SELECT 1;
