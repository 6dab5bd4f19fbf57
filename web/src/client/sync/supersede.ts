import { messageRow, parseRows, type MessageRow } from "../store/rows.js";
import { putMessage, type SealedDb } from "../store/db.js";
import { foldKey, outranks, supersededRow } from "../store/fold-keys.js";

/**
 * Keeps one live row per fold key (store/fold-keys.ts): called after `row` is stored with a seq (received,
 * opened again, or this device's own once the server took it), inside the caller's transaction. The
 * loser, `row` itself or the live row it replaces, is marked superseded. Whichever order the rows arrive
 * in (a gap filled later, a history loaded anew), the winner is the same, so every device ends with the
 * same live rows.
 */
export async function supersede(db: SealedDb, row: MessageRow): Promise<void> {
  const key = foldKey(row);
  if (key === undefined) return;
  const live = parseRows(messageRow, "messages", await db.messages.where("foldKey").equals(key).toArray());
  let winner = row;
  for (const other of live) {
    if (other.clientMessageId === row.clientMessageId) continue;
    const loser = outranks(winner, other) ? other : winner;
    if (loser === winner) winner = other;
    await putMessage(db, supersededRow(loser));
  }
}
