/**
 * A message a search result asked to show, until the message list that holds it has rendered
 * (sealed-search.ts chooses; sealed-message-list.ts jumps, also when the chat opens only now). Keys are
 * client message ids: random, so one names one message whichever chat's list looks.
 */
let pending: string | undefined;

export const JUMP_EVENT = "sealed-search-jump";

export function requestJump(key: string): void {
  pending = key;
  window.dispatchEvent(new Event(JUMP_EVENT));
}

/** The key still waiting for a list that holds it, if any. */
export function pendingJump(): string | undefined {
  return pending;
}

/** The pending key when `has` holds it (it is then no longer pending). */
export function takeJump(has: (key: string) => boolean): string | undefined {
  if (pending === undefined || !has(pending)) return undefined;
  const key = pending;
  pending = undefined;
  return key;
}
