import { utf8 } from "./bytes.js";
import { fail } from "./errors.js";

/** A reaction is one emoji: at most this many UTF-8 bytes (a ZWJ kiss with two skin tones is 35). */
export const MAX_EMOJI_BYTES = 64;

/**
 * What a reaction may carry: one emoji. Bounded in bytes (the encoder refuses what the decoder would)
 * and in graphemes (exactly one user-perceived
 * character, Unicode UAX #29 through Intl.Segmenter), and it must hold an emoji code point (Extended
 * Pictographic, a regional indicator of a flag, or the keycap mark), so "hello" or a lone letter is
 * not a reaction. Grapheme rules for emoji sequences (GB11) are stable since Unicode 11, so runtimes of
 * different ages agree on what one grapheme is.
 */
const EMOJI_CODE_POINT = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
let segmenter: Intl.Segmenter | undefined;

export function checkReactionEmoji(emoji: string): Uint8Array {
  const bytes = utf8(emoji);
  if (bytes.length < 1 || bytes.length > MAX_EMOJI_BYTES) fail("out_of_bounds", `reaction emoji must be 1 to ${MAX_EMOJI_BYTES} bytes`);
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  let graphemes = 0;
  for (const _ of segmenter.segment(emoji)) if (++graphemes > 1) fail("out_of_bounds", "reaction emoji must be one grapheme");
  if (!EMOJI_CODE_POINT.test(emoji)) fail("malformed", "reaction is not an emoji");
  return bytes;
}
