import type { AccountId, Mention } from "../../../protocol/index.js";

/**
 * The composer's @mentions as the text is edited (pure, tested in Node): where an "@query" is being
 * typed, which members it matches, what picking one inserts, and which recorded mentions survive an edit
 * of the text. A mention whose "@Name" is changed in any way is dropped (Signal does the same): what is
 * sent always names exactly the text it covers.
 */

/** A mention recorded in the box: its range and the text it was inserted as. */
export interface DraftMention extends Mention {
  readonly text: string;
}

/** Someone who can be mentioned in this chat (a group member other than this account). */
export interface Mentionable {
  readonly accountId: AccountId;
  readonly name: string;
}

/** An "@query" ending at the caret: where its "@" is and what follows it. */
export interface MentionQuery {
  readonly start: number;
  readonly query: string;
}

/** Longest query looked up: a username is at most 32 characters. */
const MAX_QUERY = 32;
/** How many suggestions the list shows at most. */
export const MAX_SUGGESTIONS = 8;

/**
 * The "@query" just before `caret`, if one is being typed: an "@" at the start of the text or after a
 * space or punctuation (not inside a word, so "me@example.org" opens nothing), then up to 32 characters
 * without white space. None inside a recorded mention.
 */
export function mentionQuery(text: string, caret: number, mentions: readonly DraftMention[] = []): MentionQuery | undefined {
  const from = Math.max(0, caret - MAX_QUERY - 1);
  const before = text.slice(from, caret);
  const at = before.lastIndexOf("@");
  if (at < 0) return undefined;
  const start = from + at;
  const query = before.slice(at + 1);
  if (/\s/u.test(query)) return undefined;
  const prev = start > 0 ? text[start - 1]! : " ";
  if (/[\p{L}\p{N}_@]/u.test(prev)) return undefined;
  if (mentions.some((m) => start >= m.start && start < m.start + m.length)) return undefined;
  return { start, query };
}

/** The members whose name matches `query` (case-insensitive): names starting with it first, then containing it. */
export function suggestions(members: readonly Mentionable[], query: string): Mentionable[] {
  const q = query.toLowerCase();
  const starts = members.filter((m) => m.name.toLowerCase().startsWith(q));
  const contains = members.filter((m) => !m.name.toLowerCase().startsWith(q) && m.name.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
}

/**
 * Picks `who` for the query ending at `caret`: "@query" becomes "@Name " and the mention is recorded.
 * Returns the new text, where the caret goes, and the mentions (those after the insertion shifted).
 */
export function insertMention(text: string, q: MentionQuery, caret: number, who: Mentionable, mentions: readonly DraftMention[]): { text: string; caret: number; mentions: DraftMention[] } {
  const label = `@${who.name}`;
  const next = `${text.slice(0, q.start)}${label} ${text.slice(caret)}`;
  const kept = adjustMentions(text, next, mentions);
  const added: DraftMention = { accountId: who.accountId, start: q.start, length: label.length, text: label };
  return { text: next, caret: q.start + label.length + 1, mentions: [...kept, added].sort((a, b) => a.start - b.start) };
}

/**
 * The mentions that survive the edit from `before` to `after`: the edit is the one changed stretch
 * between their common start and end; a mention wholly before it stays, one wholly after it moves with
 * it, one it touches is dropped. Whatever no longer reads as its own text is dropped too.
 */
export function adjustMentions(before: string, after: string, mentions: readonly DraftMention[]): DraftMention[] {
  if (mentions.length === 0 || before === after) return [...mentions];
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const changedEnd = before.length - suffix;
  const delta = after.length - before.length;
  const out: DraftMention[] = [];
  for (const m of mentions) {
    const end = m.start + m.length;
    const moved = end <= prefix ? m : m.start >= changedEnd ? { ...m, start: m.start + delta } : undefined;
    if (moved) out.push(moved);
  }
  return validMentions(after, out);
}

/** Those of `mentions` that still cover exactly their own text in `text`, sorted, none overlapping. */
export function validMentions(text: string, mentions: readonly DraftMention[]): DraftMention[] {
  const out: DraftMention[] = [];
  let end = 0;
  for (const m of [...mentions].sort((a, b) => a.start - b.start)) {
    if (m.start < end || text.slice(m.start, m.start + m.length) !== m.text) continue;
    out.push(m);
    end = m.start + m.length;
  }
  return out;
}

/** What is sent: the ranges and accounts, without the composer's own bookkeeping. */
export function toSend(text: string, mentions: readonly DraftMention[]): Mention[] {
  return validMentions(text, mentions).map((m) => ({ accountId: m.accountId, start: m.start, length: m.length }));
}
