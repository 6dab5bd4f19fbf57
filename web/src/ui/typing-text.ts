/**
 * The line under a chat's messages saying who is typing, as Signal and WhatsApp Web word it: one name,
 * two names, then a count (a long list of names is noise). Empty when nobody is.
 */
export function typingText(names: readonly string[]): string {
  const [first, second] = names;
  if (first === undefined) return "";
  if (second === undefined) return `${first} is typing…`;
  if (names.length === 2) return `${first} and ${second} are typing…`;
  return `${names.length} people are typing…`;
}
