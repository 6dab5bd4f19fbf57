// The read-state routes of the fake server (docs/API.md "Read state"): one opaque blob per account and
// conversation, each write taking the account's next version, and a nudge to the account's sockets.
import type { AccountId } from "../../../protocol/index.js";

export interface FakeReadStateEntry {
  readonly conversationId: string;
  readonly sealed: string;
  readonly version: number;
}

export class FakeReadState {
  /** Per account: conversation id -> the newest blob. */
  readonly byAccount = new Map<string, Map<string, FakeReadStateEntry>>();

  put(accountId: AccountId, conversationId: string, sealed: string): number {
    const own = this.byAccount.get(accountId) ?? new Map<string, FakeReadStateEntry>();
    this.byAccount.set(accountId, own);
    const version = Math.max(0, ...[...own.values()].map((e) => e.version)) + 1;
    own.set(conversationId, { conversationId, sealed, version });
    return version;
  }

  list(accountId: AccountId, after: number, limit = 200): { states: FakeReadStateEntry[]; more: boolean } {
    const all = [...(this.byAccount.get(accountId)?.values() ?? [])].filter((e) => e.version > after).sort((a, b) => a.version - b.version);
    return { states: all.slice(0, limit), more: all.length > limit };
  }
}
