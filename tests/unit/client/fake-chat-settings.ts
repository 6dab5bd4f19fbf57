// The chat-settings routes of the fake server (docs/API.md "Chat settings"): one opaque blob per account
// and conversation, stored only if its clear revision is above the stored one, each write taking the
// account's next version. `replay` lets a test make the server lie (serve an old or another chat's blob).
import { decodeChatSettingsBlob, fromBase64url, type AccountId } from "../../../protocol/index.js";

export interface FakeChatSettingsEntry {
  readonly conversationId: string;
  readonly sealed: string;
  readonly version: number;
  readonly revision: number;
}

export class FakeChatSettings {
  /** Per account: conversation id -> the newest blob. */
  readonly byAccount = new Map<string, Map<string, FakeChatSettingsEntry>>();
  /** Every blob ever stored, in order (what a lying server could serve again). */
  readonly history: FakeChatSettingsEntry[] = [];

  private nextVersion(accountId: AccountId): number {
    return Math.max(0, ...[...(this.byAccount.get(accountId)?.values() ?? [])].map((e) => e.version)) + 1;
  }

  /** Stores the blob, or returns the stored revision when the blob's is not above it. */
  put(accountId: AccountId, conversationId: string, sealed: string): { version: number } | { stale: number } {
    const own = this.byAccount.get(accountId) ?? new Map<string, FakeChatSettingsEntry>();
    this.byAccount.set(accountId, own);
    const { revision } = decodeChatSettingsBlob(fromBase64url(sealed));
    const stored = own.get(conversationId);
    if (stored && stored.revision >= revision) return { stale: stored.revision };
    const entry = { conversationId, sealed, version: this.nextVersion(accountId), revision };
    own.set(conversationId, entry);
    this.history.push(entry);
    return { version: entry.version };
  }

  /** A lying server: lists `sealed` for `conversationId` again under a new version, whatever is stored. */
  replay(accountId: AccountId, conversationId: string, sealed: string): number {
    const own = this.byAccount.get(accountId) ?? new Map<string, FakeChatSettingsEntry>();
    this.byAccount.set(accountId, own);
    const entry = { conversationId, sealed, version: this.nextVersion(accountId), revision: decodeChatSettingsBlob(fromBase64url(sealed)).revision };
    own.set(conversationId, entry);
    return entry.version;
  }

  list(accountId: AccountId, after: number, limit = 100): { settings: { conversationId: string; sealed: string; version: number }[]; more: boolean } {
    const all = [...(this.byAccount.get(accountId)?.values() ?? [])].filter((e) => e.version > after).sort((a, b) => a.version - b.version);
    return { settings: all.slice(0, limit).map(({ conversationId, sealed, version }) => ({ conversationId, sealed, version })), more: all.length > limit };
  }
}
