-- Linking a device, the device list, device-log appends and rate limits.

-- What GET /api/devices shows. created_at: when the server stored the device (every device before this
-- migration is a genesis device, so its account's creation time). last_seen_at: the device's latest
-- authenticated request, refreshed at most once a minute; NULL until it first logs in. sealed_name: the
-- device's name sealed by a client under the account history key, opaque to the server.
ALTER TABLE devices ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;
ALTER TABLE devices ADD COLUMN sealed_name BLOB;
UPDATE devices SET created_at = (SELECT a.created_at FROM accounts a WHERE a.id = devices.account_id);
UPDATE devices SET last_seen_at = (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.device_id = devices.device_id);

-- A link session relays opaque frames between a new device (no account yet; it holds the link token, of
-- which only SHA-256 is stored) and the existing device that answered it (responder_*: set once, all or
-- none). Every row and its frames are deleted once expires_at has passed.
CREATE TABLE link_sessions (
  link_id TEXT PRIMARY KEY,           -- 16 random bytes, base64url
  new_token_hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  responder_account_id TEXT REFERENCES accounts (id),
  responder_device_id TEXT REFERENCES devices (device_id),
  responder_key BLOB,                 -- the existing device's ephemeral X25519 public key
  CHECK ((responder_key IS NULL) = (responder_device_id IS NULL)),
  CHECK ((responder_key IS NULL) = (responder_account_id IS NULL))
) STRICT;
CREATE INDEX link_sessions_by_expiry ON link_sessions (expires_at);

-- Frames in the order each side posted them: seq counts from 1 per link and side.
CREATE TABLE link_frames (
  link_id TEXT NOT NULL REFERENCES link_sessions (link_id) ON DELETE CASCADE,
  sender TEXT NOT NULL CHECK (sender IN ('new', 'existing')),
  seq INTEGER NOT NULL,
  frame BLOB NOT NULL,
  PRIMARY KEY (link_id, sender, seq)
) STRICT;

-- Fixed-window request counters, e.g. bucket 'link:203.0.113.7' for the minute ending at window_end.
-- Rows of windows that are over are swept whenever a counter is bumped.
CREATE TABLE rate_limits (
  bucket TEXT NOT NULL,
  window_end INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  PRIMARY KEY (bucket, window_end)
) STRICT;
CREATE INDEX rate_limits_by_end ON rate_limits (window_end);
