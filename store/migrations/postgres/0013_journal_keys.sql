-- Journal signatures: each entry carries the id of the key that signed it
-- and an ed25519 signature of its hash ('' for entries written before
-- signing was enabled). The head names the key that signs the next entry.
-- The public keys are listed here; each is also introduced by a journal
-- entry, which is what verify trusts. Private keys never enter the database.
ALTER TABLE journal ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE journal ADD COLUMN sig TEXT NOT NULL DEFAULT '';
ALTER TABLE journal_head ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

CREATE TABLE journal_keys (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT    NOT NULL,           -- base64 of the 32-byte ed25519 public key
    seq        BIGINT  NOT NULL,           -- the journal entry that introduced it
    created_at BIGINT  NOT NULL,
    retired_at BIGINT  NOT NULL DEFAULT 0  -- 0 while it signs
);
