-- Notices tell a person what concerns them: a recall of their seat, its
-- outcome, their election. They are derived from journalled changes and
-- written in the same transaction; the message is a catalog key and its
-- arguments, rendered in the reader's language.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    message    TEXT NOT NULL,
    args       TEXT NOT NULL DEFAULT '[]',
    link       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    read_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notices_user ON notices(user_id, read_at, id);
