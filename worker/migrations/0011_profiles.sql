-- Encrypted profiles (issue 21 item 1): each account's display name and avatar, sealed by its devices
-- under a profile key that only its devices and its contacts hold (docs/PROTOCOL.md "Profile"). The
-- server stores the newest blob and serves it to signed-in users; it never reads it. One row per
-- account; a write replaces it. Additive: nothing existing changes.
CREATE TABLE profiles (
  account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id),
  sealed BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
