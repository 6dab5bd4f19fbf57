/**
 * The chat list's order (docs/decisions.md "Chat list controls"), pure so it is unit-tested: pinned chats
 * first, in the order they were pinned; then the rest, newest first; archived chats leave the main list
 * for the "Archived" list (newest first, pins do not apply there).
 */
export interface OrderedChat {
  readonly updatedAt: number;
  readonly pinOrder?: number;
  readonly archived?: boolean;
}

export interface ChatLists<T> {
  readonly main: T[];
  readonly archived: T[];
}

const newestFirst = (a: OrderedChat, b: OrderedChat): number => b.updatedAt - a.updatedAt;

export function orderChats<T extends OrderedChat>(chats: readonly T[]): ChatLists<T> {
  const archived = chats.filter((c) => c.archived).sort(newestFirst);
  const rest = chats.filter((c) => !c.archived);
  const pinned = rest.filter((c) => c.pinOrder !== undefined).sort((a, b) => (a.pinOrder ?? 0) - (b.pinOrder ?? 0));
  const others = rest.filter((c) => c.pinOrder === undefined).sort(newestFirst);
  return { main: [...pinned, ...others], archived };
}

/**
 * Whether an archived chat stays archived: until a message of someone else newer than the archiving
 * arrives, and then still if the chat is muted (WhatsApp's "keep chats archived" for muted chats).
 */
export function staysArchived(archivedAt: number | undefined, newestFromOthers: number | undefined, muted: boolean): boolean {
  if (archivedAt === undefined) return false;
  return muted || newestFromOthers === undefined || newestFromOthers <= archivedAt;
}

/** Whether a peer's message at `seq` is hidden by a block (now, from `blockedSince`, or an earlier span). */
export function hiddenByBlock(seq: number | undefined, p: { readonly blockedSince?: number; readonly hidden?: readonly { readonly after: number; readonly upTo: number }[] }): boolean {
  if (seq === undefined) return false;
  if (p.blockedSince !== undefined && seq > p.blockedSince) return true;
  return (p.hidden ?? []).some((h) => seq > h.after && seq <= h.upTo);
}
