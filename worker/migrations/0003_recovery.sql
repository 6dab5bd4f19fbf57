-- Recovery: the account's latest recovery blob, the optional passphrase blob, and the per-(account,
-- client address) failure counters that slow passphrase guessing. docs/API.md "Recovery".

-- When a recover entry (kind 3) was last stored for the account: devices show "recovery was used".
ALTER TABLE accounts ADD COLUMN recovery_last_used_at INTEGER;

-- The newest recovery blob (sealed to the account's recovery box key; opaque to the server). counter is
-- the blob's own header counter: a put must raise it.
CREATE TABLE recovery_blobs (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  counter INTEGER NOT NULL,
  blob BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- The passphrase blob (the recovery key wrapped under an Argon2id-derived key) and SHA-256 of the
-- access token derived beside that key. The token itself is never stored.
CREATE TABLE passphrase_blobs (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  blob BLOB NOT NULL,
  token_hash BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Wrong access tokens per (account, client address): after 3, each try waits 2^(failures-3) x 5 s from
-- the last failure (capped at an hour). A success deletes the row; nothing ever locks for good.
CREATE TABLE passphrase_failures (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  client TEXT NOT NULL,
  failures INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, client)
) STRICT;
