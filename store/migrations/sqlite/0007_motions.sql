-- Motions: what a body decides, online or in a meeting; referrals of an
-- assembly's motion down to its bases; initiatives sent up; the public
-- votes of delegates and the instructions their bases give them.
ALTER TABLE bodies ADD COLUMN weighted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE bodies ADD COLUMN initiative_threshold INTEGER NOT NULL DEFAULT 3;
ALTER TABLE bodies ADD COLUMN vote_hours INTEGER NOT NULL DEFAULT 48;

CREATE TABLE motions (
    id            INTEGER PRIMARY KEY,
    body_id       INTEGER NOT NULL REFERENCES bodies(id),
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    options       TEXT NOT NULL DEFAULT '[]', -- JSON names; [] for yes/no
    rule          TEXT NOT NULL,              -- JSON voting.Rule
    proposer_id   INTEGER NOT NULL,
    status        TEXT NOT NULL,
    closes_at     INTEGER NOT NULL DEFAULT 0,
    voting_at     INTEGER NOT NULL DEFAULT 0,
    closed_at     INTEGER NOT NULL DEFAULT 0,
    -- Members' yes/no ballots are counted here, in place: no ballot row.
    yes           INTEGER NOT NULL DEFAULT 0,
    no            INTEGER NOT NULL DEFAULT 0,
    abstain       INTEGER NOT NULL DEFAULT 0,
    block         INTEGER NOT NULL DEFAULT 0,
    voters        INTEGER NOT NULL DEFAULT 0,
    entitled      INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL DEFAULT '',   -- JSON decision, once closed
    result        TEXT NOT NULL DEFAULT '',   -- yes, no, an option index, or '' (no decision)
    mode          TEXT NOT NULL DEFAULT 'online', -- online, meeting
    meeting_id    INTEGER NOT NULL DEFAULT 0,
    decided_on    TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD of the meeting
    referral_id   INTEGER NOT NULL DEFAULT 0,
    initiative_id INTEGER NOT NULL DEFAULT 0,
    published_at  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX motions_body ON motions(body_id, id);
CREATE INDEX motions_due ON motions(status, closes_at);
CREATE INDEX motions_referral ON motions(referral_id, body_id);
CREATE INDEX motions_published ON motions(published_at, id);

-- Who voted is kept apart from what was chosen: motion_voters holds no
-- choice; rankings (option rules) are kept only as counts per distinct
-- ranking, keyed by their content, with no voter, time or sequence.
CREATE TABLE motion_voters (
    motion_id INTEGER NOT NULL REFERENCES motions(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (motion_id, user_id)
);
CREATE TABLE motion_rankings (
    motion_id INTEGER NOT NULL REFERENCES motions(id),
    ranking   TEXT NOT NULL,
    weight    INTEGER NOT NULL,
    PRIMARY KEY (motion_id, ranking)
) WITHOUT ROWID;

-- A delegate's vote is public to the bases: one row per seat.
CREATE TABLE delegate_votes (
    motion_id   INTEGER NOT NULL REFERENCES motions(id),
    delegate_id INTEGER NOT NULL REFERENCES delegates(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    body_id     INTEGER NOT NULL REFERENCES bodies(id), -- the base the seat belongs to
    choice      TEXT NOT NULL,  -- yes/no/abstain/block, or a ranking "2,0,1"
    weight      INTEGER NOT NULL,
    instruction TEXT NOT NULL DEFAULT '',
    deviates    BOOLEAN NOT NULL DEFAULT FALSE,
    withdrawn   BOOLEAN NOT NULL DEFAULT FALSE,
    cast_at     INTEGER NOT NULL,
    PRIMARY KEY (motion_id, delegate_id)
);
CREATE INDEX delegate_votes_delegate ON delegate_votes(delegate_id, motion_id);
CREATE INDEX delegate_votes_body ON delegate_votes(body_id, motion_id);

-- A base's instruction to its delegates on one motion of an assembly.
CREATE TABLE instructions (
    body_id    INTEGER NOT NULL REFERENCES bodies(id),
    motion_id  INTEGER NOT NULL REFERENCES motions(id),
    choice     TEXT NOT NULL,
    source_id  INTEGER NOT NULL, -- the base's own motion that decided it
    created_at INTEGER NOT NULL,
    PRIMARY KEY (motion_id, body_id)
);

CREATE TABLE motion_comments (
    id         INTEGER PRIMARY KEY,
    motion_id  INTEGER NOT NULL REFERENCES motions(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX motion_comments_motion ON motion_comments(motion_id, id);

CREATE TABLE amendments (
    id          INTEGER PRIMARY KEY,
    motion_id   INTEGER NOT NULL REFERENCES motions(id),
    proposer_id INTEGER NOT NULL REFERENCES users(id),
    text        TEXT NOT NULL, -- the motion's text as the amendment would leave it
    reason      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL, -- open, voting, accepted, adopted, rejected, withdrawn, superseded
    yes         INTEGER NOT NULL DEFAULT 0,
    no          INTEGER NOT NULL DEFAULT 0,
    abstain     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX amendments_motion ON amendments(motion_id, id);
CREATE TABLE amendment_voters (
    amendment_id INTEGER NOT NULL REFERENCES amendments(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (amendment_id, user_id)
);

-- Decisions taken in a physical meeting: recorded by the secretary, in
-- force once a second member confirms.
CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY,
    body_id      INTEGER NOT NULL REFERENCES bodies(id),
    held_on      TEXT NOT NULL, -- YYYY-MM-DD
    place        TEXT NOT NULL,
    attendance   INTEGER NOT NULL,
    notes        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL, -- pending, confirmed, disputed
    recorded_by  INTEGER NOT NULL REFERENCES users(id),
    confirmed_by INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX meetings_body ON meetings(body_id, status, id);
CREATE TABLE meeting_decisions (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    motion_id  INTEGER NOT NULL REFERENCES motions(id),
    counts     TEXT NOT NULL, -- JSON: yes/no/abstain/block, or per option
    PRIMARY KEY (meeting_id, motion_id)
);
CREATE INDEX meeting_decisions_motion ON meeting_decisions(motion_id);

-- A referral: an assembly's motion put to every base below it.
CREATE TABLE referrals (
    id          INTEGER PRIMARY KEY,
    motion_id   INTEGER NOT NULL REFERENCES motions(id),
    assembly_id INTEGER NOT NULL REFERENCES bodies(id),
    closes_at   INTEGER NOT NULL,
    committees  INTEGER NOT NULL, -- committees consulted
    members     INTEGER NOT NULL, -- members they had when consulted
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX referrals_motion ON referrals(motion_id);
-- The live aggregation, kept incrementally: committees and members per
-- result and department, updated once per committee that decides.
CREATE TABLE referral_tally (
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    choice      TEXT NOT NULL,
    department  TEXT NOT NULL,
    committees  INTEGER NOT NULL,
    members     INTEGER NOT NULL,
    PRIMARY KEY (referral_id, choice, department)
);

-- An initiative: a body's passed motion sent up to an assembly; other
-- bodies endorse it; at the assembly's threshold it enters its agenda.
CREATE TABLE initiatives (
    id           INTEGER PRIMARY KEY,
    motion_id    INTEGER NOT NULL REFERENCES motions(id),
    body_id      INTEGER NOT NULL REFERENCES bodies(id),
    assembly_id  INTEGER NOT NULL REFERENCES bodies(id),
    status       TEXT NOT NULL, -- open, admitted
    supporters   INTEGER NOT NULL DEFAULT 1,
    threshold    INTEGER NOT NULL,
    agenda_id    INTEGER NOT NULL DEFAULT 0, -- the assembly's motion once admitted
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    admitted_at  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX initiatives_once ON initiatives(motion_id, assembly_id);
CREATE INDEX initiatives_assembly ON initiatives(assembly_id, status, id);
CREATE TABLE initiative_endorsements (
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id),
    body_id       INTEGER NOT NULL REFERENCES bodies(id),
    endorsed_by   INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (initiative_id, body_id)
);
