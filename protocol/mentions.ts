import type { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { ACCOUNT_ID_BYTES, AccountId } from "./ids.js";

/**
 * @mentions in a text, a reply or an edit (docs/PROTOCOL.md "Mentions", content kind 8). A mention is a
 * range of the message's text, counted in UTF-16 code units as JavaScript strings and Signal's
 * bodyRanges count them, naming the account it speaks of. The text keeps the visible "@Name", so a
 * client that shows the text alone (search, export, a notification) still shows something sensible;
 * a client that knows the account shows the name it uses for it in that place.
 */
export interface Mention {
  readonly accountId: AccountId;
  /** First UTF-16 code unit of the range in the text. */
  readonly start: number;
  /** Length of the range in UTF-16 code units, at least 1. */
  readonly length: number;
}

/** The most mentions one message carries (Signal's clients cap a message's body ranges too). */
export const MAX_MENTIONS = 32;
/** One mention on the wire: account id, u16 start, u16 length. */
export const MENTION_BYTES = ACCOUNT_ID_BYTES + 4;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Whether `i` falls between the two halves of a surrogate pair (a range must not cut a character). */
function splitsPair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

/**
 * Checks a mention list against its text, the same on encode and decode: 1..MAX_MENTIONS entries
 * (`out_of_bounds`); each of length >= 1 and inside the text (`out_of_bounds`); sorted by start and not
 * overlapping, and no range end cutting a surrogate pair (`malformed`).
 */
export function checkMentions(text: string, mentions: readonly Mention[]): void {
  if (mentions.length < 1 || mentions.length > MAX_MENTIONS) fail("out_of_bounds", `a message carries 1 to ${MAX_MENTIONS} mentions`);
  let end = 0;
  for (const m of mentions) {
    if (!Number.isInteger(m.start) || !Number.isInteger(m.length) || m.start < 0 || m.length < 1 || m.start + m.length > text.length) {
      fail("out_of_bounds", `mention [${m.start}, +${m.length}) is not inside the text (${text.length} code units)`);
    }
    if (m.start < end) fail("malformed", "mentions must be sorted and must not overlap");
    if (splitsPair(text, m.start) || splitsPair(text, m.start + m.length)) fail("malformed", "a mention must not cut a character in two");
    end = m.start + m.length;
  }
}

/** Writes `u8 count || count x (fixed(32) account id || u16 start || u16 length)` after checking it. */
export function writeMentions(w: Writer, text: string, mentions: readonly Mention[]): Writer {
  checkMentions(text, mentions);
  w.u8(mentions.length);
  for (const m of mentions) w.fixed(AccountId.toBytes(m.accountId), ACCOUNT_ID_BYTES).u16(m.start).u16(m.length);
  return w;
}

/** Reads what writeMentions wrote and checks it against `text`. */
export function readMentions(r: Reader, text: string): Mention[] {
  const count = r.u8("mention count");
  if (count < 1 || count > MAX_MENTIONS) fail("out_of_bounds", `a message carries 1 to ${MAX_MENTIONS} mentions, not ${count}`);
  const out: Mention[] = [];
  for (let i = 0; i < count; i++) {
    const accountId = AccountId.fromBytes(r.fixed(ACCOUNT_ID_BYTES, "mentioned account id"));
    out.push({ accountId, start: r.u16("mention start"), length: r.u16("mention length") });
  }
  checkMentions(text, out);
  return out;
}
