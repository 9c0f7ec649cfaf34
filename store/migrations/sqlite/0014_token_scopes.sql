-- API tokens get scopes and an expiry (issue 17: tokens that never expired
-- and could write were a standing key to a member's account). Tokens made
-- before this migration become read-only and expire in 30 days; migrated
-- marks them so that their owners are told on their account page.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN migrated SMALLINT NOT NULL DEFAULT 0;
UPDATE api_tokens SET scopes = 'read', expires_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) + 2592000000000, migrated = 1;
