import { decodeEnvelope, openEnvelope, type ConversationId, type MessageBody } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { rowFields } from "../conversations/content-rows.js";
import { getConversation, getEpoch, getMessage, putConversation, putMessage } from "../store/db.js";
import { withLock } from "../store/lock.js";
import { envelopeRow, messageRow, parseRow, parseRows, type MessageRow } from "../store/rows.js";
import { applyStored, finishPage, pageEffects } from "./apply-content.js";
import { senderState } from "./sender-checks.js";

/**
 * Rows of a known kind other than text that a version before content kinds were applied stored as "needs
 * a newer version", with only their kind number (store/db.ts version 4 marks them `reopen`): their stored
 * envelopes are opened again, with the same checks as on receipt, and what they say is filled in and
 * applied in server order, as if they had just arrived (a reply shows its text, a reaction counts, a
 * delete scrubs its target). One that cannot be opened yet (a key or log not here) stays marked and is
 * tried again on the next sync pass; one whose envelope is gone is left as it is.
 */
export async function reopenMarked(ctx: ClientContext): Promise<number> {
  const marked = parseRows(messageRow, "messages", await ctx.db.messages.where("reopen").equals(1).toArray());
  const byConversation = new Map<ConversationId, MessageRow[]>();
  for (const m of marked) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
  let done = 0;
  for (const [id, rows] of byConversation) done += await withLock(`recv:${id}`, () => reopenIn(ctx, id, rows));
  return done;
}

type Opened = { readonly row: MessageRow; readonly body: MessageBody | "gone" | "later" };

async function open(ctx: ClientContext, id: ConversationId, row: MessageRow): Promise<Opened> {
  const stored = row.seq === undefined ? undefined : await ctx.db.envelopes.get([id, row.seq]);
  if (!stored) return { row, body: "gone" };
  try {
    const e = decodeEnvelope(parseRow(envelopeRow, "envelopes", stored).envelope);
    const epoch = await getEpoch(ctx.db, id, e.header.epoch);
    if (!epoch) return { row, body: "later" };
    const sender = await senderState(ctx, e.header);
    return { row, body: await openEnvelope(ctx.env, e, { conversationId: id, sender: sender.state, ck: epoch.ck, keyId: epoch.keyId }) };
  } catch (err) {
    console.warn(`stored message ${id}/${row.seq} could not be opened again:`, err);
    return { row, body: "later" };
  }
}

async function reopenIn(ctx: ClientContext, id: ConversationId, rows: readonly MessageRow[]): Promise<number> {
  const opened: Opened[] = [];
  for (const row of [...rows].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))) opened.push(await open(ctx, id, row));
  const db = ctx.db;
  return db.transaction("rw", [db.messages, db.envelopes, db.conversations], async () => {
    const effects = pageEffects();
    let refused = 0;
    let done = 0;
    for (const { row, body } of opened) {
      if (body === "later") continue;
      const current = await getMessage(db, id, row.clientMessageId);
      if (current?.reopen !== 1) continue;
      const { reopen: _, ...rest } = current;
      if (body === "gone") {
        await putMessage(db, rest);
        continue;
      }
      const { kindNumber: _stored, ...before } = rest;
      // A text stored as kind 8 (mentions) by a version before it is a text row again: no kind number.
      const updated: MessageRow = body.kind === "text" ? { ...before, ...rowFields(body) } : { ...rest, ...rowFields(body) };
      await putMessage(db, updated);
      if ((await applyStored(db, updated, true, effects, ctx.now())) !== "ok") refused++;
      done++;
    }
    await finishPage(db, id, effects);
    const conv = await getConversation(db, id);
    if (conv && refused > 0) await putConversation(db, { ...conv, rejected: conv.rejected + refused });
    return done;
  });
}
