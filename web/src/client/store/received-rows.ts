import type { SealedDb } from "./db.js";
import { withIndexFields } from "./fold-keys.js";
import { messageRow, parseRow, type MessageRow } from "./rows.js";

/**
 * Puts message rows the receive path has just built (sync/receive.ts decide()), in one request batch.
 * putMessages (store/db.ts) parses every row with its zod schema on the way in; for a history load that
 * was about 0.5 s of the page's main thread per 10,000 messages (CPU profile, docs/decisions.md "Linking
 * and restoring: less work per message"). A plain text row here is made only of values the protocol's
 * decoders have already checked (ids decoded from their bytes, counter and sentAt read as bounded
 * integers, the text and at most MAX_MENTIONS mentions checked against it) and the server's seq, which
 * the API schema checked; the schema could not refuse it, so it is not run again. Every other kind
 * (its fields cross more code between decoder and row) is still parsed, and rows read back are always
 * parsed (getMessages).
 */
export async function putReceivedMessages(db: SealedDb, rows: readonly MessageRow[]): Promise<void> {
  await db.messages.bulkPut(rows.map((row) => withIndexFields(isPlainText(row) ? row : parseRow(messageRow, "messages", row))));
}

/** A received text row with nothing beyond the fields listed above. */
function isPlainText(row: MessageRow): boolean {
  return (
    row.kindNumber === undefined &&
    row.status === "sent" &&
    row.ref === undefined &&
    row.emoji === undefined &&
    row.receipt === undefined &&
    row.attachment === undefined &&
    row.profile === undefined &&
    row.envelope === undefined &&
    row.failure === undefined &&
    row.deletedAt === undefined &&
    row.deletesAttachment === undefined &&
    typeof row.text === "string" &&
    Number.isSafeInteger(row.seq) &&
    Number.isSafeInteger(row.counter) &&
    Number.isSafeInteger(row.sentAt) &&
    row.sentAt >= 0
  );
}
