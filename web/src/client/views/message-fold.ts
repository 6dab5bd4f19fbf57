import { msg, str } from "@lit/localize";
import { ContentKind, type AccountId, type MessageRef } from "../../../../protocol/index.js";
import { isShownKind } from "../conversations/content-rows.js";
import { isActionKind, judgeAction } from "../conversations/content-rules.js";
import type { MessageRow, MessageStatus } from "../store/rows.js";
import { attachmentSummary, attachmentView, type AttachmentView } from "./attachment-view.js";
import type { DeliveryView } from "./receipts.js";

/**
 * The timeline folded from a chat's rows (docs/PROTOCOL.md "Applying reactions, edits and deletes"):
 * text, replies, attachments and kinds this version does not know are bubbles; reactions, edits and deletes are
 * applied to the bubble they name; receipts are not shown here. One pass over the rows in the shared
 * order, with Maps keyed by client message id, so a chat with 10,000 reactions costs one walk, not one
 * search per reaction.
 */

/** What a message of a content kind this version cannot show says instead (docs/PROTOCOL.md "Message content"). */
export const NEEDS_NEWER_VERSION = "This message needs a newer version of the app";
/** What a message deleted for everyone shows instead of its text. */
export const DELETED_TEXT = "This message was deleted";

/** The two texts above in the page's language (msg(): English where no language is set, as in the service worker). */
const needsNewerVersionText = () => msg("This message needs a newer version of the app");
const deletedText = () => msg("This message was deleted");
/** A failed send's tooltip: the server's error code stays as it came (it names the problem for support). */
const refusedText = (code: string, status: number) => msg(str`The server refused this message (${code}, HTTP ${status}).`);
/** How much of the original a reply's quote shows. */
const SNIPPET = 120;

/** One emoji under a message: how many accounts chose it and who (this account as "You"). */
export interface ReactionView {
  readonly emoji: string;
  readonly count: number;
  readonly names: readonly string[];
  /** This account's reaction is this emoji (clicking the chip removes it). */
  readonly mine: boolean;
}

/**
 * One @mention in a message's text (protocol/mentions.ts): the UTF-16 range it covers, and who it names
 * as this device calls them. `me`: it names this account (shown more prominently; it notifies).
 */
export interface MentionView {
  readonly start: number;
  readonly length: number;
  readonly accountId: AccountId;
  readonly name: string;
  readonly me: boolean;
}

/** The message a reply quotes, as it is now (edited, deleted), or `unavailable` when this device does not hold it. */
export type ReplyQuote =
  | { readonly state: "shown"; readonly key: string; readonly senderName: string; readonly mine: boolean; readonly text: string }
  | { readonly state: "deleted"; readonly key: string; readonly senderName: string; readonly mine: boolean }
  | { readonly state: "unavailable"; readonly key: string };

export interface MessageView {
  readonly kind: "message";
  /** The client message id: the row's key in the list, and what quotes jump to. */
  readonly key: string;
  /** Its stable id, to reply, react, edit or delete it. */
  readonly ref: MessageRef;
  readonly seq?: number;
  readonly mine: boolean;
  readonly senderName: string;
  /**
   * `text`: `text` is the message (its last edit). `unsupported`: a kind this version does not show,
   * whose `text` is NEEDS_NEWER_VERSION (opened and checked like any message, not an attack).
   * `deleted`: deleted for everyone by its author; `text` is DELETED_TEXT. `attachment`: a file,
   * photo or voice note (`attachment`), whose `text` is its caption ("" for none).
   */
  readonly content: "text" | "unsupported" | "deleted" | "attachment";
  readonly text: string;
  /** The @mentions of `text` (its last edit's), in order; absent when it names nobody. */
  readonly mentions?: readonly MentionView[];
  /** Set when `content` is `attachment`. */
  readonly attachment?: AttachmentView;
  readonly replyTo?: ReplyQuote;
  /** Most chosen first; empty once deleted. */
  readonly reactions: readonly ReactionView[];
  /** An edit by its author applied: `text` is the last one. */
  readonly edited: boolean;
  readonly deleted: boolean;
  readonly sentAt: number;
  readonly status: MessageStatus;
  readonly missingBefore: number;
  readonly chainBroken: boolean;
  /** Why the server refused it (status `failed`), for a tooltip. */
  readonly failure?: string;
  /** One's own message the server holds: delivered and read by whom (views/receipts.ts, added by views.ts). */
  readonly delivery?: DeliveryView;
}

/** Server order (seq) for stored rows, then this device's pending and failed rows in counter order. */
export function byTimelineOrder(a: MessageRow, b: MessageRow): number {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.seq !== undefined) return -1;
  if (b.seq !== undefined) return 1;
  return a.counter - b.counter;
}

/** A bubble being folded: its row and what the rows after it did to it. */
interface Entry {
  readonly row: MessageRow;
  text: string | undefined;
  /** The mentions of the last applied edit (undefined: none), once an edit applied (`text` set). */
  mentions: MessageRow["mentions"];
  deleted: boolean;
  /** Each account's current reaction, in the order first given (last wins; null removed it). */
  readonly reactions: Map<AccountId, string>;
  /** Its row and the actions applied to it, in order: what its view is made from. */
  readonly applied: MessageRow[];
}

/** The views of a fold's last run, with what each was made from: the next run reuses those whose inputs are the same objects. */
export type FoldMemo = Map<string, { readonly inputs: readonly unknown[]; readonly view: MessageView }>;

export interface FoldNames {
  /** This account, whose rows are `mine`. */
  readonly me: AccountId | undefined;
  readonly nameOf: (accountId: AccountId) => string;
}

/**
 * Folds rows, already in byTimelineOrder, into the bubbles they show. With `memo` (row-cache.ts), a view
 * whose row, applied actions, quote and names are the same as in the last run is that run's object.
 */
export function foldMessages(rows: readonly MessageRow[], names: FoldNames, memo?: { previous: FoldMemo; next: FoldMemo }): MessageView[] {
  const entries: Entry[] = [];
  const byId = new Map<string, Entry>();
  for (const row of rows) {
    if (isShownKind(row.kindNumber)) {
      const e: Entry = { row, text: undefined, mentions: undefined, deleted: row.deletedAt !== undefined, reactions: new Map(), applied: [row] };
      entries.push(e);
      byId.set(row.clientMessageId, e);
      continue;
    }
    if (!isActionKind(row.kindNumber) || !row.ref) continue;
    const target = byId.get(row.ref.clientMessageId);
    if (!target || judgeAction(row, target.row, target.deleted) !== "apply") continue;
    target.applied.push(row);
    if (row.kindNumber === ContentKind.delete) target.deleted = true;
    else if (row.kindNumber === ContentKind.edit) {
      // The last edit wins for the mentions as for the text: an edit without any names nobody.
      target.text = row.text;
      target.mentions = row.mentions;
    }
    else {
      // One reaction per account, last wins: moved to the end so a change counts as its newest.
      target.reactions.delete(row.senderAccountId);
      if (row.emoji) target.reactions.set(row.senderAccountId, row.emoji);
    }
  }
  if (!memo) return entries.map((e) => messageView(e, byId, names));
  return entries.map((e) => {
    const quoted = e.row.kindNumber === ContentKind.reply && e.row.ref ? byId.get(e.row.ref.clientMessageId) : undefined;
    // What the view depends on: its rows, the quoted message's rows, and the names shown.
    const inputs = [names.me, names.nameOf(e.row.senderAccountId), ...e.applied, ...(quoted ? ["quote", ...quoted.applied] : []), ...reactorNames(e, names), ...mentionNames(e, names)];
    const old = memo.previous.get(e.row.clientMessageId);
    const view = old && sameInputs(old.inputs, inputs) ? old.view : messageView(e, byId, names);
    memo.next.set(e.row.clientMessageId, { inputs, view });
    return view;
  });
}

function currentMentions(e: Entry): MessageRow["mentions"] {
  return e.text !== undefined ? e.mentions : e.row.mentions;
}

function mentionNames(e: Entry, names: FoldNames): string[] {
  return (currentMentions(e) ?? []).map((m) => names.nameOf(m.accountId));
}

function mentionViews(e: Entry, names: FoldNames): Pick<MessageView, "mentions"> {
  const list = currentMentions(e);
  if (!list || list.length === 0) return {};
  return { mentions: list.map((m) => ({ start: m.start, length: m.length, accountId: m.accountId, name: names.nameOf(m.accountId), me: m.accountId === names.me })) };
}

function reactorNames(e: Entry, names: FoldNames): string[] {
  return e.reactions.size === 0 ? [] : [...e.reactions.keys()].map(names.nameOf);
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function messageView(e: Entry, byId: ReadonlyMap<string, Entry>, names: FoldNames): MessageView {
  const r = e.row;
  const mine = r.senderAccountId === names.me;
  const shown: Pick<MessageView, "content" | "text" | "attachment"> = e.deleted
    ? { content: "deleted", text: deletedText() }
    : isTextual(r)
      ? { content: "text", text: e.text ?? r.text }
      : r.attachment
        ? { content: "attachment", text: r.attachment.caption, attachment: attachmentView(r.attachment, r.conversationId) }
        : { content: "unsupported", text: needsNewerVersionText() };
  return {
    kind: "message",
    key: r.clientMessageId,
    ref: { deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId },
    ...(r.seq !== undefined ? { seq: r.seq } : {}),
    mine,
    senderName: names.nameOf(r.senderAccountId),
    ...shown,
    ...(shown.content === "text" ? mentionViews(e, names) : {}),
    ...(r.kindNumber === ContentKind.reply && r.ref && !e.deleted ? { replyTo: quote(r.ref, byId, names) } : {}),
    reactions: e.deleted ? [] : reactionViews(e.reactions, names),
    edited: e.text !== undefined && !e.deleted,
    deleted: e.deleted,
    sentAt: r.sentAt,
    status: r.status,
    missingBefore: r.missingBefore ?? 0,
    chainBroken: r.chainBroken ?? false,
    ...(r.failure ? { failure: refusedText(r.failure.code, r.failure.status) } : {}),
  };
}

function isTextual(r: MessageRow): boolean {
  return r.kindNumber === undefined || r.kindNumber === ContentKind.reply;
}

function quote(ref: MessageRef, byId: ReadonlyMap<string, Entry>, names: FoldNames): ReplyQuote {
  const t = byId.get(ref.clientMessageId);
  // Not held here (a member who joined without the history), or not the message the ref names.
  if (!t || t.row.senderDeviceId !== ref.deviceId) return { state: "unavailable", key: ref.clientMessageId };
  const who = { key: t.row.clientMessageId, senderName: names.nameOf(t.row.senderAccountId), mine: t.row.senderAccountId === names.me };
  if (t.deleted) return { state: "deleted", ...who };
  const text = isTextual(t.row) ? (t.text ?? t.row.text) : t.row.attachment ? attachmentSummary(t.row.attachment) : needsNewerVersionText();
  return { state: "shown", ...who, text: text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text };
}

function reactionViews(reactions: ReadonlyMap<AccountId, string>, names: FoldNames): ReactionView[] {
  if (reactions.size === 0) return [];
  const byEmoji = new Map<string, { names: string[]; mine: boolean }>();
  for (const [account, emoji] of reactions) {
    const mine = account === names.me;
    const chip = byEmoji.get(emoji) ?? { names: [], mine: false };
    chip.names.push(mine ? "You" : names.nameOf(account));
    chip.mine ||= mine;
    byEmoji.set(emoji, chip);
  }
  // Most chosen first; ties keep the order the emoji first appeared (Map order), so chips do not jump.
  return [...byEmoji].map(([emoji, c]) => ({ emoji, count: c.names.length, names: c.names, mine: c.mine })).sort((a, b) => b.count - a.count);
}
