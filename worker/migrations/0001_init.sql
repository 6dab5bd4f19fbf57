-- Walking-skeleton schema. Ids are stored as their base64url text, exactly as on the wire (protocol/ids.ts),
-- so a row and a request compare without conversion. Times are milliseconds since the Unix epoch.
-- Opaque protocol bytes (log entries, bundles, envelopes) are BLOBs the server verifies but never decrypts.
-- STRICT makes SQLite refuse a value of the wrong type instead of silently storing it.

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,                -- hash of the genesis entry
  username TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

-- The device log, append-only; entry 0 is the genesis.
CREATE TABLE log_entries (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  seq INTEGER NOT NULL,
  entry BLOB NOT NULL,
  PRIMARY KEY (account_id, seq)
) STRICT;

-- The server's copy of each verified device: the signing key checks logins, bundles and envelopes.
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  signing_key BLOB NOT NULL,
  box_key BLOB NOT NULL,
  added_seq INTEGER NOT NULL,
  revoked_at INTEGER                  -- NULL while active; set, every session of the device stops working
) STRICT;
CREATE INDEX devices_by_account ON devices (account_id);

-- Single-use login challenges: consumed (deleted) by the first login attempt that names them.
CREATE TABLE login_nonces (
  nonce BLOB PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  device_id TEXT NOT NULL REFERENCES devices (device_id),
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_nonces_by_expiry ON login_nonces (expires_at);

-- Only SHA-256 of the session token is stored, so a database leak does not hand out live sessions.
CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  device_id TEXT NOT NULL REFERENCES devices (device_id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_device ON sessions (device_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- A direct conversation exists once per pair: members are stored sorted so (a, b) and (b, a) collide.
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind = 'direct'),
  member_a TEXT NOT NULL REFERENCES accounts (id),
  member_b TEXT NOT NULL REFERENCES accounts (id),
  created_at INTEGER NOT NULL,
  CHECK (member_a < member_b),
  UNIQUE (member_a, member_b)
) STRICT;

-- Membership as rows, so access checks and listings stay the same when groups arrive.
CREATE TABLE conversation_members (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  PRIMARY KEY (conversation_id, account_id)
) STRICT;
CREATE INDEX conversation_members_by_account ON conversation_members (account_id, conversation_id);

-- One signed bundle per epoch; key_id lets the server match envelopes to their epoch key.
CREATE TABLE epochs (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  epoch INTEGER NOT NULL,
  key_id BLOB NOT NULL,
  bundle BLOB NOT NULL,
  creator_device_id TEXT NOT NULL REFERENCES devices (device_id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, epoch)
) STRICT;

-- seq is the server's order per conversation; the UNIQUE triple makes a retried send idempotent.
CREATE TABLE messages (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  seq INTEGER NOT NULL,
  sender_account_id TEXT NOT NULL REFERENCES accounts (id),
  sender_device_id TEXT NOT NULL REFERENCES devices (device_id),
  client_message_id TEXT NOT NULL,
  envelope BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, seq),
  UNIQUE (conversation_id, sender_device_id, client_message_id)
) STRICT;
