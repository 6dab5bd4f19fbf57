-- Group conversations (issue 7). A group has no fixed pair of members: its members are the rows of
-- conversation_members, kept in step with its membership log (membership_entries), whose entries are
-- signed by the members' devices and verified by the server before they are stored.

-- SQLite cannot change a CHECK constraint in place: rebuild conversations with kind 'group' allowed and
-- the direct pair optional. Foreign keys from conversation_members, epochs and messages name the table,
-- not the rows' storage, so they hold again once the new table takes the old name (checked at commit).
PRAGMA defer_foreign_keys = true;
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
DROP TABLE conversations;
ALTER TABLE conversations_v2 RENAME TO conversations;

-- The membership log of each group, entry by entry (docs/PROTOCOL.md "Membership log"). The primary key
-- makes a second entry at a taken position fail, so the log never forks however appends race.
CREATE TABLE membership_entries (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  seq INTEGER NOT NULL,
  entry BLOB NOT NULL,
  PRIMARY KEY (conversation_id, seq)
) STRICT;
