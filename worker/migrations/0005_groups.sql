-- Group conversations (issue 7). A group has no fixed pair of members: its members are the rows of
-- conversation_members, kept in step with its membership log (membership_entries), whose entries are
-- signed by the members' devices and verified by the server before they are stored.

-- SQLite cannot change a CHECK constraint in place, and D1 cannot turn foreign keys off. So the
-- conversations table is rebuilt together with the three tables that reference it, in an order where no
-- row ever lacks its parent: new parent, new children pointing at it, copies, then the old children
-- (which nothing references) and the old parent (which nothing references any more) are dropped, and
-- the renames (which rewrite the new children's REFERENCES to the final name) restore every name.
CREATE TABLE conversations_v2 (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
  member_a TEXT REFERENCES accounts (id),
  member_b TEXT REFERENCES accounts (id),
  created_at INTEGER NOT NULL,
  CHECK ((kind = 'direct') = (member_a IS NOT NULL AND member_b IS NOT NULL)),
  CHECK (kind = 'group' OR member_a < member_b),
  UNIQUE (member_a, member_b)
) STRICT;
INSERT INTO conversations_v2 (id, kind, member_a, member_b, created_at) SELECT id, kind, member_a, member_b, created_at FROM conversations;

CREATE TABLE conversation_members_v2 (
  conversation_id TEXT NOT NULL REFERENCES conversations_v2 (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  PRIMARY KEY (conversation_id, account_id)
) STRICT;
INSERT INTO conversation_members_v2 SELECT conversation_id, account_id FROM conversation_members;

CREATE TABLE epochs_v2 (
  conversation_id TEXT NOT NULL REFERENCES conversations_v2 (id),
  epoch INTEGER NOT NULL,
  key_id BLOB NOT NULL,
  bundle BLOB NOT NULL,
  creator_device_id TEXT NOT NULL REFERENCES devices (device_id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, epoch)
) STRICT;
INSERT INTO epochs_v2 SELECT conversation_id, epoch, key_id, bundle, creator_device_id, created_at FROM epochs;

CREATE TABLE messages_v2 (
  conversation_id TEXT NOT NULL REFERENCES conversations_v2 (id),
  seq INTEGER NOT NULL,
  sender_account_id TEXT NOT NULL REFERENCES accounts (id),
  sender_device_id TEXT NOT NULL REFERENCES devices (device_id),
  client_message_id TEXT NOT NULL,
  envelope BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, seq),
  UNIQUE (conversation_id, sender_device_id, client_message_id)
) STRICT;
INSERT INTO messages_v2 SELECT conversation_id, seq, sender_account_id, sender_device_id, client_message_id, envelope, received_at FROM messages;

DROP TABLE messages;
DROP TABLE epochs;
DROP TABLE conversation_members;
DROP TABLE conversations;
ALTER TABLE conversations_v2 RENAME TO conversations;
ALTER TABLE conversation_members_v2 RENAME TO conversation_members;
ALTER TABLE epochs_v2 RENAME TO epochs;
ALTER TABLE messages_v2 RENAME TO messages;
CREATE INDEX conversation_members_by_account ON conversation_members (account_id, conversation_id);

-- The membership log of each group, entry by entry (docs/PROTOCOL.md "Membership log"). The primary key
-- makes a second entry at a taken position fail, so the log never forks however appends race.
CREATE TABLE membership_entries (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  seq INTEGER NOT NULL,
  entry BLOB NOT NULL,
  PRIMARY KEY (conversation_id, seq)
) STRICT;
