import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import { isActionKind, judgeAction } from "../conversations/content-rules.js";
import { getMessage, listMessages, putMessage, type SealedDb } from "../store/db.js";
import type { MessageRow } from "../store/rows.js";
import { foldKey } from "../store/fold-keys.js";
import { supersede } from "./supersede.js";
import { unindexIfInScope } from "../search/index-message.js";

/**
 * Applying reactions, edits and deletes as they are stored (docs/PROTOCOL.md "Applying reactions, edits
 * and deletes"). Runs inside receive.ts commit()'s transaction (and after this device queues a delete):
 * it judges each one against its target (conversations/content-rules.ts) and carries out a delete for
 * everyone, so the deleted text is gone from this device's store, not just hidden.
 *
 * Reactions and edits change no other row: the timeline folds them (views/message-fold.ts), and a later
 * one of the same sender marks the earlier one superseded (supersede.ts), so the fold reads only what
 * still counts. A delete
 * tombstones its target (`deletedAt`, empty text, no attachment key or preview) at once, so an edit later in the same page sees it;
 * the texts of the target's earlier edits and the stored envelopes of all of them go at the end of the
 * page, in one pass over the conversation (finishPage), not one pass per delete.
 */

/** What a page's deletes still have to scrub when the page ends. */
export interface PageEffects {
  /** Client message ids of the messages deleted for everyone in this page. */
  readonly deleted: Set<string>;
  /** Server positions whose stored envelopes must go (deleted targets, their edits). */
  readonly envelopes: Set<number>;
}

export function pageEffects(): PageEffects {
  return { deleted: new Set(), envelopes: new Set() };
}

/**
 * Applies one stored row. `fresh`: first stored now (received from another device or account); a row
 * this device queued itself was judged before it was sent, and only its delete is carried out again
 * (its edits may have been posted since). Returns why a fresh one is refused (the caller counts it).
 */
/** Whether applyStored may write rows other than `row`'s own first write: a reaction, edit or delete, or a row with a fold key. */
export function writesOthers(row: MessageRow): boolean {
  return (isActionKind(row.kindNumber) && row.ref !== undefined) || foldKey(row) !== undefined;
}

export async function applyStored(db: SealedDb, row: MessageRow, fresh: boolean, effects: PageEffects, now: number): Promise<"ok" | { readonly refused: string }> {
  const verdict = await applyAction(db, row, fresh, effects, now);
  // Last, so a row stored again above (its text cleared) does not undo the mark.
  await supersede(db, row);
  return verdict;
}

async function applyAction(db: SealedDb, row: MessageRow, fresh: boolean, effects: PageEffects, now: number): Promise<"ok" | { readonly refused: string }> {
  if (!isActionKind(row.kindNumber) || !row.ref) return "ok";
  const target = await getMessage(db, row.conversationId, row.ref.clientMessageId);
  const verdict = judgeAction(row, target, target?.deletedAt !== undefined);
  if (verdict === "apply") {
    if (row.kindNumber === ContentKind.delete && target) await tombstone(db, target, effects, now);
    return "ok";
  }
  // A refused or ignored edit's text is never shown: it is not kept either.
  if (row.text !== "" && (fresh || verdict === "ignore")) {
    await putMessage(db, { ...withoutMentions(row), text: "" });
    if (row.seq !== undefined) effects.envelopes.add(row.seq);
  }
  return verdict === "ignore" || !fresh ? "ok" : verdict;
}

async function tombstone(db: SealedDb, target: MessageRow, effects: PageEffects, now: number): Promise<void> {
  effects.deleted.add(target.clientMessageId);
  if (target.seq !== undefined) effects.envelopes.add(target.seq);
  if (target.deletedAt === undefined || target.text !== "" || target.attachment !== undefined) {
    // An attachment's key and preview go with the text: the blob can no longer be opened from this device.
    const { attachment: _, ...rest } = withoutMentions(target);
    await putMessage(db, { ...rest, text: "", deletedAt: target.deletedAt ?? now });
  }
  // Its words leave the search index with the text (search/index-message.ts).
  await unindexIfInScope(db, target.conversationId, target.clientMessageId);
}

/** A row whose text goes loses its mentions with it (who was named is part of what was said). */
function withoutMentions(row: MessageRow): MessageRow {
  const { mentions: _, ...rest } = row;
  return rest;
}

/** Scrubs the edits of the messages deleted in this page and drops their stored envelopes. */
export async function finishPage(db: SealedDb, conversationId: ConversationId, effects: PageEffects): Promise<void> {
  if (effects.deleted.size > 0) {
    for (const m of await listMessages(db, conversationId)) {
      if (m.kindNumber !== ContentKind.edit || !m.ref || !effects.deleted.has(m.ref.clientMessageId)) continue;
      if (m.seq !== undefined) effects.envelopes.add(m.seq);
      // A pending edit keeps its text until it is posted (a reseal needs it); the delete coming back scrubs it.
      if (m.text !== "" && m.status !== "pending") await putMessage(db, { ...withoutMentions(m), text: "" });
    }
  }
  if (effects.envelopes.size > 0) await db.envelopes.bulkDelete([...effects.envelopes].map((seq) => [conversationId, seq] as [ConversationId, number]));
}

/** Carries out a delete for everyone this device just queued (its target and edits scrubbed here at once). */
export async function applyQueued(db: SealedDb, row: MessageRow, now: number): Promise<void> {
  if (row.kindNumber !== ContentKind.delete) return;
  await db.transaction("rw", [db.messages, db.envelopes, db.searchPostings, db.searchTerms], async () => {
    const effects = pageEffects();
    await applyStored(db, row, false, effects, now);
    await finishPage(db, row.conversationId, effects);
  });
}
