import type { ConversationId } from "../../../../protocol/index.js";

/**
 * Unsent drafts, one per conversation, on this device only (docs/decisions.md "Drafts"). They live in
 * localStorage: read synchronously, a chat's draft is in its box at the first render (no empty box
 * flashing, no late restore overwriting the first keystrokes), and it survives a reload and a browser
 * restart. A draft is never sealed, posted or synced to other devices.
 */
const PREFIX = "sealed-draft:";

/**
 * A draft longer than this is cut when stored. Four times what a message may hold (16 KiB of UTF-8), so
 * an overlong paste is kept for the person to shorten; bounded so one draft cannot fill the origin's
 * storage quota (about 5 MB) that the own-log alarm and the other markers share.
 */
export const MAX_DRAFT_CHARS = 64 * 1024;

/** What of the Web Storage API the drafts use (localStorage in the browser). */
export type DraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

/** Where localStorage does not exist (Node tests, the headless client): kept in memory. */
export class MemoryDraftStorage implements DraftStorage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  key(i: number): string | null {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    this.items.delete(k);
  }
}

const fallback = new MemoryDraftStorage();

function defaultStorage(): DraftStorage {
  return typeof localStorage === "undefined" ? fallback : localStorage;
}

/** `client.drafts`: the unsent text of each chat. */
export class Drafts {
  constructor(private readonly storage: DraftStorage = defaultStorage()) {}

  /** The chat's draft, or "" when it has none. */
  get(id: ConversationId): string {
    const raw = this.storage.getItem(PREFIX + id);
    // Another script of this origin may have written anything: only a string within bounds is a draft.
    return typeof raw === "string" ? raw.slice(0, MAX_DRAFT_CHARS) : "";
  }

  /** Keeps `text` as the chat's draft; "" forgets it. Best effort: a full storage keeps the previous draft. */
  set(id: ConversationId, text: string): void {
    try {
      if (text === "") this.storage.removeItem(PREFIX + id);
      else this.storage.setItem(PREFIX + id, text.slice(0, MAX_DRAFT_CHARS));
    } catch (e) {
      // QuotaExceededError, or storage disabled by the browser: the text is still in the box.
      console.warn("could not keep the draft:", e);
    }
  }

  /** Forgets every draft (this device's data is being wiped). */
  clear(): void {
    clearDrafts(this.storage);
  }
}

/** Forgets every draft in `storage` (the wipe of a device calls it with the default storage). */
export function clearDrafts(storage: DraftStorage = defaultStorage()): void {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const k = storage.key(i);
    if (k?.startsWith(PREFIX)) keys.push(k);
  }
  for (const k of keys) storage.removeItem(k);
}
