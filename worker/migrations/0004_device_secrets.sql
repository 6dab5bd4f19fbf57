-- Device-secrets packages (docs/PROTOCOL.md "Device-secrets package"). After a revoke or a recovery-key
-- rotation, the device that made it seals the account's new secrets to each other active device of the
-- account. The server keeps the newest package per recipient (it cannot open it) until a newer one
-- replaces it; the recipient accepts it only if the keys inside match its verified log.
CREATE TABLE device_secrets (
  recipient_device_id TEXT PRIMARY KEY REFERENCES devices (device_id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  head_seq INTEGER NOT NULL,
  sender_device_id TEXT NOT NULL REFERENCES devices (device_id),
  package BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
