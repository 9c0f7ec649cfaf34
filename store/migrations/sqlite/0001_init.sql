-- asamblea schema v1 (SQLite). Times are Unix microseconds (UTC).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    lang          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE bodies (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    sector      TEXT    NOT NULL,
    place       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    public      BOOLEAN NOT NULL,
    parent_id   INTEGER REFERENCES bodies(id),
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    members     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bodies_place ON bodies(place);
CREATE INDEX bodies_public_name ON bodies(public, name);

CREATE TABLE memberships (
    body_id   INTEGER NOT NULL REFERENCES bodies(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    role      TEXT    NOT NULL,
    joined_at INTEGER NOT NULL,
    sort_key  TEXT    NOT NULL, -- role rank then the member's name key: the order of the member list
    PRIMARY KEY (body_id, user_id)
);
CREATE INDEX memberships_list ON memberships(body_id, sort_key);
CREATE INDEX memberships_user ON memberships(user_id);
CREATE INDEX memberships_body_role ON memberships(body_id, role);

CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    body_id    INTEGER NOT NULL REFERENCES bodies(id),
    code_hash  BLOB    NOT NULL UNIQUE,
    label      TEXT    NOT NULL DEFAULT '',
    max_uses   INTEGER NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX invitations_body ON invitations(body_id);

CREATE TABLE join_requests (
    id         INTEGER PRIMARY KEY,
    body_id    INTEGER NOT NULL REFERENCES bodies(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    message    TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    decided_by INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    decided_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX join_requests_body ON join_requests(body_id, status);
CREATE UNIQUE INDEX join_requests_pending ON join_requests(body_id, user_id) WHERE status = 'pending';

CREATE TABLE journal (
    seq     INTEGER PRIMARY KEY,
    prev    TEXT    NOT NULL,
    hash    TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    actor   INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    body    INTEGER NOT NULL,
    payload TEXT    NOT NULL
);
CREATE INDEX journal_body ON journal(body, seq);

CREATE TABLE journal_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
