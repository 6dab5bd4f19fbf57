import { msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";

/**
 * The line under a chat's messages saying who is typing, as Signal and WhatsApp Web word it: one name,
 * two names, then a count (a long list of names is noise). Empty when nobody is.
 */
export function typingText(names: readonly string[]): string {
  const [first, second] = names;
  if (first === undefined) return "";
  if (second === undefined) return msg(str`${first} is typing…`);
  if (names.length === 2) return msg(str`${first} and ${second} are typing…`);
  const count = formatCount(names.length);
  return msg(str`${count} people are typing…`);
}
