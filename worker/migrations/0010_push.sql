-- Web Push (issue 19). One subscription per device: the push service's endpoint URL and the browser's
-- RFC 8291 keys (public point and auth secret; the private key never leaves the browser). A device's new
-- subscription replaces its old one. Deleted when the device signs out or is revoked (worker/routes).
-- Mutes are per account and conversation: no push for that chat to any device of the account. The
-- server learns which chats an account muted (docs/THREAT-MODEL.md "Push"). Additive: nothing changes.
CREATE TABLE push_subscriptions (
  device_id TEXT PRIMARY KEY REFERENCES devices (device_id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  endpoint TEXT NOT NULL,
  p256dh BLOB NOT NULL CHECK (length(p256dh) = 65),
  auth BLOB NOT NULL CHECK (length(auth) = 16),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX push_subscriptions_by_account ON push_subscriptions (account_id);

CREATE TABLE push_mutes (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  PRIMARY KEY (account_id, conversation_id)
) STRICT;
