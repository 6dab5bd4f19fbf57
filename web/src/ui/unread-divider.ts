import type { TimelineItem } from "../client/index.js";

/**
 * The key of the message "New messages" goes above: the first message of someone else past the position
 * the chat was read up to when it opened. Undefined when it opened with nothing unread. The position is
 * fixed when the chat opens, so the divider stays put while the chat stays open, whatever arrives.
 */
export function unreadDividerKey(items: readonly TimelineItem[], unreadAfter: number | undefined): string | undefined {
  if (unreadAfter === undefined) return undefined;
  for (const m of items) if (m.kind === "message" && !m.mine && m.seq !== undefined && m.seq > unreadAfter) return m.key;
  return undefined;
}
