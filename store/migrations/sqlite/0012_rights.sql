-- Repression records kept by a body's legal and human-rights commission.
-- What identifies a person (names, ages, descriptions, exact coordinates,
-- evidence, who reported) is only ever stored sealed to the commission's
-- public key (the "sealed" columns); its private key is stored only wrapped
-- with a key that is not in the database (the node's key file, or members'
-- passphrases). The clear columns are what the public figures count.
ALTER TABLE bodies ADD COLUMN purpose TEXT NOT NULL DEFAULT ''; -- of a commission: rights, logistics, communications, security

CREATE TABLE rights_keys (
    commission_id   INTEGER PRIMARY KEY REFERENCES bodies(id),
    epoch           INTEGER NOT NULL,           -- 1 for the first key, one more after each lockdown
    public_key      BLOB,                       -- NULL once destroyed
    file_wrapped    BLOB,                       -- the private key wrapped with the node's key file; NULL for passphrases only
    exact_coords    BOOLEAN NOT NULL DEFAULT FALSE,
    original_images BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      INTEGER NOT NULL,
    locked_at       INTEGER NOT NULL DEFAULT 0  -- when the key was last destroyed
);

-- A member's passphrase slot: their own key pair, its private half wrapped
-- with their passphrase, and the commission's private key sealed to it once
-- another member who holds it grants it.
CREATE TABLE rights_slots (
    commission_id  INTEGER NOT NULL REFERENCES bodies(id),
    user_id        INTEGER NOT NULL REFERENCES users(id),
    salt           BLOB NOT NULL,
    member_public  BLOB NOT NULL,
    member_wrapped BLOB NOT NULL,
    key_sealed     BLOB,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (commission_id, user_id)
);

CREATE TABLE rights_incidents (
    id            INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES bodies(id),
    epoch         INTEGER NOT NULL,  -- of the key it is sealed to
    kind          TEXT NOT NULL,
    at            INTEGER NOT NULL,
    week          INTEGER NOT NULL,  -- the Monday of its week, in Lima
    place         TEXT NOT NULL,     -- UBIGEO
    department    TEXT NOT NULL,
    force         TEXT NOT NULL,
    affected      INTEGER NOT NULL,
    action_id     INTEGER NOT NULL DEFAULT 0,
    state         TEXT NOT NULL,     -- reported, verified, rejected
    checked_by    INTEGER NOT NULL DEFAULT 0,
    checked_at    INTEGER NOT NULL DEFAULT 0,
    sealed        BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX rights_incidents_commission ON rights_incidents(commission_id, id);
CREATE INDEX rights_incidents_figures ON rights_incidents(state, week);

CREATE TABLE rights_people (
    id            INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES bodies(id),
    epoch         INTEGER NOT NULL,
    incident_id   INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,     -- '' (never held), detained, released, charged, convicted
    sealed        BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX rights_people_commission ON rights_people(commission_id, id);
CREATE INDEX rights_people_incident ON rights_people(incident_id);

CREATE TABLE rights_evidence (
    id            INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES bodies(id),
    incident_id   INTEGER NOT NULL REFERENCES rights_incidents(id),
    epoch         INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    sealed        BLOB NOT NULL,     -- metadata and file, sealed together
    created_at    INTEGER NOT NULL
);
CREATE INDEX rights_evidence_incident ON rights_evidence(incident_id, id);
