-- Elections: a constituent assembly in one national district, or a body's
-- or an assembly's own; lists and candidates; online ballots with receipt
-- codes; polling stations and their tally sheets entered twice; results
-- published in versions; recall of representatives by petition and vote.
CREATE TABLE polls (
    id                  INTEGER PRIMARY KEY,
    body_id             INTEGER NOT NULL REFERENCES bodies(id), -- the organising body
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    scope               TEXT NOT NULL,  -- body, assembly, public
    seats               INTEGER NOT NULL,
    method              TEXT NOT NULL,
    threshold           TEXT NOT NULL DEFAULT '', -- percent, '' for none
    parity              BOOLEAN NOT NULL DEFAULT FALSE,
    recall_share        TEXT NOT NULL,  -- percent of the electorate
    registration_closes INTEGER NOT NULL,
    voting_opens        INTEGER NOT NULL,
    voting_closes       INTEGER NOT NULL,
    publish_by          INTEGER NOT NULL,
    voters              INTEGER NOT NULL DEFAULT 0, -- online ballots cast
    seed                INTEGER NOT NULL,           -- of the lots, drawn when called
    version             INTEGER NOT NULL DEFAULT 0, -- published results: 0 none
    published_at        INTEGER NOT NULL DEFAULT 0,
    created_by          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL
);
CREATE INDEX poll_body ON polls(body_id, id);
CREATE INDEX poll_scope ON polls(scope, id);

CREATE TABLE poll_candidacies (
    id            INTEGER PRIMARY KEY,
    election_id   INTEGER NOT NULL REFERENCES polls(id),
    number        INTEGER NOT NULL, -- on the ballot
    name          TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    sector        TEXT NOT NULL,
    status        TEXT NOT NULL,    -- registered, withdrawn
    seats         INTEGER NOT NULL DEFAULT 0,
    votes         INTEGER NOT NULL DEFAULT 0,
    registered_by INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (election_id, number)
);

CREATE TABLE poll_candidates (
    id           INTEGER PRIMARY KEY,
    candidacy_id INTEGER NOT NULL REFERENCES poll_candidacies(id),
    election_id  INTEGER NOT NULL REFERENCES polls(id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'standing', -- standing, elected, recalled
    replaces     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX poll_candidates_list ON poll_candidates(candidacy_id, position);
CREATE INDEX poll_candidates_election ON poll_candidates(election_id, status);

-- Polling stations, and their tally sheets per contest: contest 0 is the
-- election itself, any other the recall vote of that id.
CREATE TABLE poll_stations (
    id          INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES polls(id),
    code        TEXT NOT NULL,
    place       TEXT NOT NULL, -- district
    department  TEXT NOT NULL,
    electorate  INTEGER NOT NULL,
    UNIQUE (election_id, code)
);
CREATE INDEX poll_stations_place ON poll_stations(election_id, place, code);

CREATE TABLE poll_sheets (
    station_id  INTEGER NOT NULL REFERENCES poll_stations(id),
    contest     INTEGER NOT NULL,
    status      TEXT NOT NULL,             -- entered, counted, mismatch, over, annulled
    sheet       TEXT NOT NULL DEFAULT '',  -- JSON of the figures that count
    entries     INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (station_id, contest)
);

CREATE TABLE poll_entries (
    station_id INTEGER NOT NULL REFERENCES poll_stations(id),
    contest    INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    sheet      TEXT NOT NULL, -- JSON
    created_at INTEGER NOT NULL,
    PRIMARY KEY (station_id, contest, n)
);

-- The count by area, kept as sheets are settled: area '' is the country,
-- two digits a department, six a district.
CREATE TABLE poll_areas (
    election_id INTEGER NOT NULL REFERENCES polls(id),
    contest     INTEGER NOT NULL,
    area        TEXT NOT NULL,
    stations    INTEGER NOT NULL DEFAULT 0,
    counted     INTEGER NOT NULL DEFAULT 0,
    flagged     INTEGER NOT NULL DEFAULT 0,
    electorate  INTEGER NOT NULL DEFAULT 0,
    sheet       TEXT NOT NULL DEFAULT '{"votes":[],"blank":0,"null":0}',
    PRIMARY KEY (election_id, contest, area)
);

-- Online ballots. Who voted is kept apart from what was chosen: voters
-- hold no choice; choices are counts per distinct ballot, with no voter,
-- time or sequence; receipt codes are a list apart, keyed by the code.
CREATE TABLE poll_voters (
    election_id INTEGER NOT NULL REFERENCES polls(id),
    contest     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (election_id, contest, user_id)
);
CREATE TABLE poll_choices (
    election_id INTEGER NOT NULL,
    contest     INTEGER NOT NULL,
    choice      TEXT NOT NULL,
    weight      INTEGER NOT NULL,
    PRIMARY KEY (election_id, contest, choice)
) WITHOUT ROWID;
CREATE TABLE poll_receipts (
    election_id INTEGER NOT NULL,
    code        TEXT NOT NULL,
    PRIMARY KEY (election_id, code)
) WITHOUT ROWID;

-- Each publication of results: version 1, then corrections, never changed.
CREATE TABLE poll_results (
    election_id  INTEGER NOT NULL REFERENCES polls(id),
    version      INTEGER NOT NULL,
    report       TEXT NOT NULL, -- the tally core's report, JSON
    inputs       TEXT NOT NULL, -- list votes CSV or BLT
    reason       TEXT NOT NULL DEFAULT '',
    published_by INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (election_id, version)
);

CREATE TABLE poll_recalls (
    id             INTEGER PRIMARY KEY,
    election_id    INTEGER NOT NULL REFERENCES polls(id),
    candidate_id   INTEGER NOT NULL REFERENCES poll_candidates(id),
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL, -- collecting, voting, passed, failed
    signatures     INTEGER NOT NULL DEFAULT 0,
    needed         INTEGER NOT NULL,
    yes            INTEGER NOT NULL DEFAULT 0,
    no             INTEGER NOT NULL DEFAULT 0,
    voters         INTEGER NOT NULL DEFAULT 0,
    voting_closes  INTEGER NOT NULL DEFAULT 0,
    replacement_id INTEGER NOT NULL DEFAULT 0,
    opened_by      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    closed_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX poll_recalls_election ON poll_recalls(election_id, id);
CREATE TABLE poll_signers (
    recall_id INTEGER NOT NULL REFERENCES poll_recalls(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (recall_id, user_id)
);
