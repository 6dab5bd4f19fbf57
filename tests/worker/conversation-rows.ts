// Reads and writes inside one conversation's ConversationLog object (worker/db/conversation-log), where
// its messages, epochs, membership log and history shares live since issue 22. The object's tables have
// no conversation_id column: the object is the conversation.
import { env, runInDurableObject } from "cloudflare:test";
import type { ConversationId } from "../../protocol/ids.js";

type SqlValue = string | number | null | ArrayBuffer;

function stubOf(id: string) {
  return env.CONVERSATION_LOG.get(env.CONVERSATION_LOG.idFromName(id));
}

/** The rows of `sql` run in conversation `id`'s object, after its first use moved it in from D1. */
export async function logRows<T = Record<string, SqlValue>>(id: string, sql: string, ...binds: SqlValue[]): Promise<T[]> {
  const stub = stubOf(id);
  await stub.find(id as ConversationId);
  return runInDurableObject(stub, (_object, state) => {
    if (state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'info'").toArray().length === 0) return [];
    return state.storage.sql.exec(sql, ...binds).toArray() as T[];
  });
}

/** COUNT(*) of `table` in conversation `id`'s object (0 when it stores nothing). */
export async function logCount(id: string, table: string, where = "", ...binds: SqlValue[]): Promise<number> {
  const [row] = await logRows<{ n: number }>(id, `SELECT COUNT(*) AS n FROM ${table} ${where ? `WHERE ${where}` : ""}`, ...binds);
  return row?.n ?? 0;
}

/** Runs `sql` for each set of bindings in one transaction of conversation `id`'s object (test fixtures). */
export async function logWrite(id: string, sql: string, rows: readonly SqlValue[][]): Promise<void> {
  const stub = stubOf(id);
  await stub.find(id as ConversationId);
  await runInDurableObject(stub, (_object, state) => {
    state.storage.transactionSync(() => {
      for (const r of rows) state.storage.sql.exec(sql, ...r);
    });
  });
}

/** Every row of every table of conversation `id`'s object, as it is stored (no import runs first). */
export async function snapshotLog(id: string): Promise<Record<string, Record<string, unknown>[]>> {
  return runInDurableObject(stubOf(id), (_object, state) => {
    const out: Record<string, Record<string, unknown>[]> = {};
    const tables = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").toArray();
    for (const t of tables) out[String(t["name"])] = state.storage.sql.exec(`SELECT * FROM "${String(t["name"])}"`).toArray();
    return out;
  });
}
