-- Delegates, their elections and recalls.
ALTER TABLE bodies ADD COLUMN recall_hours INTEGER NOT NULL DEFAULT 48;
ALTER TABLE bodies ADD COLUMN quorum_num INTEGER NOT NULL DEFAULT 1;
ALTER TABLE bodies ADD COLUMN quorum_den INTEGER NOT NULL DEFAULT 3;

CREATE TABLE elections (
    id          INTEGER PRIMARY KEY,
    body_id     INTEGER NOT NULL REFERENCES bodies(id),
    assembly_id INTEGER NOT NULL REFERENCES bodies(id),
    seats       INTEGER NOT NULL,
    alternates  INTEGER NOT NULL,
    status      TEXT NOT NULL, -- open, closed
    closes_at   INTEGER NOT NULL,
    voters      INTEGER NOT NULL DEFAULT 0,
    report      TEXT NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX elections_open ON elections(body_id, assembly_id) WHERE status = 'open';
CREATE INDEX elections_due ON elections(status, closes_at);

CREATE TABLE candidacies (
    election_id  INTEGER NOT NULL REFERENCES elections(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    nominated_by INTEGER NOT NULL,
    accepted     BOOLEAN NOT NULL,
    statement    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (election_id, user_id)
);

-- Who voted is kept apart from what was chosen. Rankings are kept only as
-- counts per distinct ranking, keyed by their content: no row holds a
-- voter, a time or a sequence that could order it against election_voters.
CREATE TABLE election_voters (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (election_id, user_id)
);
CREATE TABLE election_rankings (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    ranking     TEXT NOT NULL,
    weight      INTEGER NOT NULL,
    PRIMARY KEY (election_id, ranking)
) WITHOUT ROWID;

CREATE TABLE delegates (
    id          INTEGER PRIMARY KEY,
    body_id     INTEGER NOT NULL REFERENCES bodies(id),
    assembly_id INTEGER NOT NULL REFERENCES bodies(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    election_id INTEGER NOT NULL REFERENCES elections(id),
    position    INTEGER NOT NULL,
    status      TEXT NOT NULL, -- seated, alternate, recalled, unseated
    since       INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL DEFAULT 0,
    mandate     TEXT NOT NULL DEFAULT '',
    mandate_at  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX delegates_current ON delegates(body_id, assembly_id, user_id) WHERE status IN ('seated', 'alternate');
CREATE INDEX delegates_body ON delegates(body_id, assembly_id, status, position);
CREATE INDEX delegates_user ON delegates(user_id, status);

-- A recall's votes are counted in place: yes and no, never a ballot row.
CREATE TABLE recalls (
    id          INTEGER PRIMARY KEY,
    delegate_id INTEGER NOT NULL REFERENCES delegates(id),
    body_id     INTEGER NOT NULL REFERENCES bodies(id),
    opened_by   INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL, -- open, passed, failed, no_quorum
    closes_at   INTEGER NOT NULL,
    yes         INTEGER NOT NULL DEFAULT 0,
    no          INTEGER NOT NULL DEFAULT 0,
    eligible    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX recalls_open ON recalls(delegate_id) WHERE status = 'open';
CREATE INDEX recalls_due ON recalls(status, closes_at);
CREATE TABLE recall_voters (
    recall_id INTEGER NOT NULL REFERENCES recalls(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (recall_id, user_id)
);
