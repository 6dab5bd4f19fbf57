-- Read state (issue 17): how far an account has read each conversation, sealed by its devices under a
-- key from the account history key (docs/PROTOCOL.md "Read state"), so the server stores and relays it
-- without reading it. One blob per (account, conversation); the newest write replaces it. `version` counts
-- the account's writes (each write takes one more than the account's highest), so a device asks for what
-- changed since the version it saw. Additive: nothing existing changes.
CREATE TABLE read_state (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  sealed BLOB NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, conversation_id)
) STRICT;

CREATE UNIQUE INDEX read_state_by_version ON read_state (account_id, version);
