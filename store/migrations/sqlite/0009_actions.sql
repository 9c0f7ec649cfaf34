-- Coordinated actions: strikes, roadblocks, marches, caravans... called by a
-- body, joined by others, followed through situation reports, supplied
-- through needs and offers.

-- Every body with each body above it through accepted affiliations, and
-- itself: what "the bodies of an assembly at every depth" reads from.
-- Kept in step with affiliations by the store.
CREATE TABLE body_ancestry (
    ancestor_id INTEGER NOT NULL REFERENCES bodies(id),
    body_id     INTEGER NOT NULL REFERENCES bodies(id),
    PRIMARY KEY (ancestor_id, body_id)
) WITHOUT ROWID;
CREATE INDEX body_ancestry_up ON body_ancestry(body_id, ancestor_id);
INSERT INTO body_ancestry (ancestor_id, body_id)
WITH RECURSIVE up(body_id, ancestor_id) AS (
    SELECT id, id FROM bodies
    UNION
    SELECT up.body_id, f.assembly_id FROM up JOIN affiliations f ON f.body_id = up.ancestor_id AND f.status = 'accepted'
)
SELECT ancestor_id, body_id FROM up;

CREATE TABLE photos (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL,
    data       BLOB NOT NULL, -- JPEG re-encoded: no metadata
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE actions (
    id           INTEGER PRIMARY KEY,
    body_id      INTEGER NOT NULL REFERENCES bodies(id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    place        TEXT NOT NULL,
    department   TEXT NOT NULL,
    lat          REAL,
    lon          REAL,
    route        TEXT NOT NULL DEFAULT '', -- JSON list of UBIGEO codes
    starts       INTEGER NOT NULL,
    ends         INTEGER NOT NULL DEFAULT 0, -- 0: open end
    motion_id    INTEGER NOT NULL DEFAULT 0,
    visibility   TEXT NOT NULL,
    status       TEXT NOT NULL,
    repressed_at INTEGER NOT NULL DEFAULT 0,
    ended_at     INTEGER NOT NULL DEFAULT 0,
    adherents    INTEGER NOT NULL DEFAULT 0,
    mobilised    INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX actions_body ON actions(body_id, starts);
CREATE INDEX actions_public ON actions(visibility, starts);

-- An action as each body above its caller (and the caller itself) sees it
-- in its coordinating view: the fields the view filters and counts on, so
-- that the counts of an assembly with 50,000 actions read one index.
-- Actions seen by the calling body alone have no rows here.
CREATE TABLE action_scope (
    assembly_id  INTEGER NOT NULL,
    starts       INTEGER NOT NULL,
    action_id    INTEGER NOT NULL REFERENCES actions(id),
    department   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    public       BOOLEAN NOT NULL,
    ended_at     INTEGER NOT NULL DEFAULT 0,
    repressed_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (assembly_id, starts, action_id)
) WITHOUT ROWID;
CREATE INDEX action_scope_counts ON action_scope(assembly_id, department, kind, status, public);
CREATE INDEX action_scope_action ON action_scope(action_id);
CREATE INDEX action_scope_ended ON action_scope(assembly_id, ended_at) WHERE ended_at > 0;
CREATE INDEX action_scope_repressed ON action_scope(assembly_id, repressed_at) WHERE repressed_at > 0;

CREATE TABLE action_adhesions (
    action_id  INTEGER NOT NULL REFERENCES actions(id),
    body_id    INTEGER NOT NULL REFERENCES bodies(id),
    members    INTEGER NOT NULL,
    joined_by  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (action_id, body_id)
);
CREATE INDEX action_adhesions_body ON action_adhesions(body_id);

CREATE TABLE action_reports (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES actions(id),
    body_id    INTEGER NOT NULL REFERENCES bodies(id),
    author_id  INTEGER NOT NULL,
    text       TEXT NOT NULL,
    photo_id   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX action_reports_action ON action_reports(action_id, id);

-- Needs and offers of supplies between bodies, and the pledges that match
-- them.
CREATE TABLE needs (
    id          INTEGER PRIMARY KEY,
    body_id     INTEGER NOT NULL REFERENCES bodies(id),
    action_id   INTEGER NOT NULL DEFAULT 0,
    kind        TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL,
    status      TEXT NOT NULL, -- open, met, cancelled
    pledged     INTEGER NOT NULL DEFAULT 0,
    received    INTEGER NOT NULL DEFAULT 0,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX needs_body ON needs(body_id, status);
CREATE INDEX needs_open ON needs(status, kind);
CREATE INDEX needs_action ON needs(action_id) WHERE action_id > 0;

CREATE TABLE offers (
    id          INTEGER PRIMARY KEY,
    body_id     INTEGER NOT NULL REFERENCES bodies(id),
    kind        TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL,
    status      TEXT NOT NULL, -- open, closed, withdrawn
    pledged     INTEGER NOT NULL DEFAULT 0,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX offers_body ON offers(body_id, status);
CREATE INDEX offers_open ON offers(status, kind);

CREATE TABLE pledges (
    id           INTEGER PRIMARY KEY,
    need_id      INTEGER NOT NULL REFERENCES needs(id),
    offer_id     INTEGER NOT NULL REFERENCES offers(id),
    quantity     INTEGER NOT NULL,
    status       TEXT NOT NULL, -- pledged, arrived, cancelled
    pledged_by   INTEGER NOT NULL,
    confirmed_by INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pledges_need ON pledges(need_id);
CREATE INDEX pledges_offer ON pledges(offer_id);
