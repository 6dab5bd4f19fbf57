-- Group keys and names (issue 7), additive: nothing existing changes.

-- History shares (docs/PROTOCOL.md "History share"): the CK of an epoch from before an account joined a
-- group, sealed to that account's history key by the admin device that added it. Stored in the batch that
-- stores the add entry, so a new member never sees the entry without its shares. One per account and
-- epoch; the server checks each names a stored epoch with its key id, and cannot open any.
CREATE TABLE history_shares (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  epoch INTEGER NOT NULL,
  share BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, account_id, epoch)
) STRICT;

-- The newest sealed group meta of each group (docs/PROTOCOL.md "Group metadata"): the name under an
-- epoch's CK, signed by the member device that wrote it. Replaced only by one of the same or a later epoch.
CREATE TABLE group_meta (
  conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
  epoch INTEGER NOT NULL,
  meta BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
