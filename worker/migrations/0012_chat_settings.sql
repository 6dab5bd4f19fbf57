-- Chat settings (issue 21): what an account set for each conversation on its chat list (pin, archive,
-- marked unread, block, delete chat) and whether it verified a 1:1 chat's peer, sealed by its devices
-- under a key from the account history key (docs/PROTOCOL.md "Chat settings"), so the server stores and
-- relays it without reading it. One blob per (account, conversation). `revision` is the blob's clear
-- Lamport revision: a write not above the stored one is refused, so an older write never replaces a newer
-- one. `version` counts the account's writes as read_state's does. Additive: nothing existing changes.
CREATE TABLE chat_settings (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  sealed BLOB NOT NULL,
  revision INTEGER NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, conversation_id)
) STRICT;

CREATE UNIQUE INDEX chat_settings_by_version ON chat_settings (account_id, version);
