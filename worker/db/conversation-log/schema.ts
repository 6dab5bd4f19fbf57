// The SQLite schema inside each ConversationLog Durable Object (one object per conversation, issue 22).
// Every table is the conversation's own: no conversation_id column, the object is the conversation.
// Versioned by `info.schema`; a later version adds statements to MIGRATIONS, never edits one.

/** Statements of each schema version, applied in order on an object's first use after a deploy. */
const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE info (k TEXT PRIMARY KEY, v INTEGER NOT NULL) STRICT`,
    // The conversation itself: one row. A direct chat keeps its pair here, a group has none.
    `CREATE TABLE conversation (
       one INTEGER PRIMARY KEY CHECK (one = 1),
       id TEXT NOT NULL,
       kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
       member_a TEXT,
       member_b TEXT,
       created_at INTEGER NOT NULL
     ) STRICT`,
    // The member set, always equal to the verified membership log's (a group) or the pair (direct).
    `CREATE TABLE members (account_id TEXT PRIMARY KEY) STRICT`,
    `CREATE TABLE membership_entries (seq INTEGER PRIMARY KEY, entry BLOB NOT NULL) STRICT`,
    `CREATE TABLE epochs (
       epoch INTEGER PRIMARY KEY,
       key_id BLOB NOT NULL,
       bundle BLOB NOT NULL,
       creator_device_id TEXT NOT NULL,
       created_at INTEGER NOT NULL
     ) STRICT`,
    `CREATE TABLE group_meta (one INTEGER PRIMARY KEY CHECK (one = 1), epoch INTEGER NOT NULL, meta BLOB NOT NULL, updated_at INTEGER NOT NULL) STRICT`,
    `CREATE TABLE history_shares (
       account_id TEXT NOT NULL,
       epoch INTEGER NOT NULL,
       share BLOB NOT NULL,
       created_at INTEGER NOT NULL,
       PRIMARY KEY (account_id, epoch)
     ) STRICT`,
    `CREATE TABLE messages (
       seq INTEGER PRIMARY KEY,
       sender_account_id TEXT NOT NULL,
       sender_device_id TEXT NOT NULL,
       client_message_id TEXT NOT NULL,
       envelope BLOB NOT NULL,
       received_at INTEGER NOT NULL,
       UNIQUE (sender_device_id, client_message_id)
     ) STRICT`,
    // Writes D1 must learn of (the directory's conversation index, attachments' message seq), stored in
    // the same transaction as the change that causes them and applied in order afterwards (outbox.ts).
    `CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL) STRICT`,
  ],
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the object's tables to SCHEMA_VERSION, in one transaction per version. */
export function migrateSchema(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  const hasInfo = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'info'").toArray().length > 0;
  const current = hasInfo ? Number(sql.exec("SELECT v FROM info WHERE k = 'schema'").toArray()[0]?.["v"] ?? 0) : 0;
  for (let v = current; v < MIGRATIONS.length; v++) {
    storage.transactionSync(() => {
      for (const statement of MIGRATIONS[v] ?? []) sql.exec(statement);
      sql.exec("INSERT INTO info (k, v) VALUES ('schema', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", v + 1);
    });
  }
}
