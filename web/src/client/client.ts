/**
 * web/src/client/: the client core, no rendering. This root holds the door and what every part shares:
 * client.ts (ChatClient, the one object the UI holds), context.ts (ClientContext: store, the three
 * transports, crypto, clock, made once), errors.ts (ClientError, root of the client's errors), env.ts
 * (WebCrypto as the protocol's CryptoEnv), headless.ts (a ChatClient for Node). The parts, each with its
 * own header: store/, transport/, identity/, conversations/, groups/, sync/, link/, recovery/, views/.
 */
import type { AccountId, ConversationId, CryptoEnv } from "../../../protocol/index.js";
import { confirmRecoverySaved, resumeSession, signUp, type Session } from "./identity/account.js";
import { Api, isApiError } from "./transport/api.js";
import { addContact, contactSafetyNumber, refreshContact } from "./identity/contacts.js";
import { makeContext, type ClientContext } from "./context.js";
import { requireConversation, startConversation } from "./conversations/conversations.js";
import { SealedDb, getAccount, getContact, getGroup } from "./store/db.js";
import { defaultCryptoEnv } from "./env.js";
import { currentEpoch } from "./conversations/epochs.js";
import { addMember, createGroup, leaveGroup, removeMember, renameGroup, setAdmin, setHistoryForNewMembers } from "./groups/groups.js";
import { LinkApi } from "./transport/link-api.js";
import { syncMembership } from "./groups/membership.js";
import { withLock } from "./store/lock.js";
import { discardFailed, queueText, retryFailed } from "./conversations/messages.js";
import { pullMessages } from "./sync/receive.js";
import { RealtimeConnection, realtimeUrl } from "./transport/realtime.js";
import { resealRecoveryBlob } from "./recovery/reseal.js";
import { RecoveryApi } from "./transport/recovery-api.js";
import type { MessageRow } from "./store/rows.js";
import { Syncer, type SyncOptions } from "./sync/sync.js";

export interface ClientOptions {
  readonly db?: SealedDb;
  readonly api?: Api;
  readonly env?: CryptoEnv;
  readonly origin?: string;
  readonly now?: () => number;
  /** Start the polling loop once signed in (default true; tests drive `sync.syncNow()` instead). */
  readonly autoSync?: boolean;
  /**
   * The realtime socket. Default: one to this page's /api/realtime where WebSocket exists; `null` for
   * none (polling only).
   */
  readonly realtime?: RealtimeConnection | null;
  /** Poll and retry timing (tests shorten it). */
  readonly syncTiming?: Omit<SyncOptions, "realtime">;
  /** The recovery calls (docs/API.md "Recovery"). Default: this page's origin. */
  readonly recoveryApi?: RecoveryApi;
  /** The device and link calls. Default: this page's origin. */
  readonly linkApi?: LinkApi;
}

function defaultRealtime(): RealtimeConnection | undefined {
  if (typeof WebSocket !== "function" || typeof location === "undefined") return undefined;
  return new RealtimeConnection({ url: realtimeUrl(location.origin) });
}

/** No answer or a server fault: the app works from local data and the sync loop retries. */
function unreachable(e: unknown): boolean {
  return isApiError(e) && (e.code === "network" || e.status >= 500);
}

/**
 * The client core as one object for the UI: it owns the store, the API and the sync loop, and exposes
 * actions. It renders nothing; the UI reads state through views.ts (live queries) and calls these.
 */
export class ChatClient {
  readonly ctx: ClientContext;
  readonly sync: Syncer;
  session: Session | undefined;
  private readonly autoSync: boolean;

  constructor(o: ClientOptions = {}) {
    this.autoSync = o.autoSync ?? true;
    this.ctx = makeContext({
      db: o.db ?? new SealedDb(),
      api: o.api ?? new Api(),
      linkApi: o.linkApi ?? new LinkApi(),
      recoveryApi: o.recoveryApi ?? new RecoveryApi(),
      env: o.env ?? defaultCryptoEnv(),
      origin: o.origin ?? globalThis.location.origin,
      ...(o.now ? { now: o.now } : {}),
    });
    const realtime = o.realtime === null ? undefined : (o.realtime ?? defaultRealtime());
    this.sync = new Syncer(this.ctx, { ...o.syncTiming, ...(realtime ? { realtime } : {}) });
  }

  get db(): SealedDb {
    return this.ctx.db;
  }

  /** The recovery calls this client makes (the context's; kept for the settings screen's status call). */
  get recoveryApi(): RecoveryApi {
    return this.ctx.recoveryApi;
  }

  /**
   * Resumes a stored account (logging in again when the session expired); false when there is none.
   * Offline (or with the server down) it still succeeds: local data is all the UI needs, and the sync
   * loop renews the session once the server answers.
   */
  async start(): Promise<boolean> {
    if (!(await this.hasAccount())) return false;
    try {
      this.session = await resumeSession(this.ctx);
    } catch (e) {
      if (!unreachable(e)) throw e;
    }
    if (this.autoSync) this.sync.start();
    return true;
  }

  async hasAccount(): Promise<boolean> {
    return (await getAccount(this.ctx.db)) !== undefined;
  }

  /** Creates the account; the returned recovery key is shown once and never stored. */
  async signUp(username: string): Promise<string> {
    const r = await signUp(this.ctx, username);
    this.session = r.session;
    // The first recovery blob (counter 1). Failing here is not fatal: settings offers to retry.
    await resealRecoveryBlob(this.ctx).catch((e: unknown) => console.warn("could not store the recovery blob:", e));
    if (this.autoSync) this.sync.start();
    return r.recoveryKey;
  }

  confirmRecoverySaved(): Promise<void> {
    return confirmRecoverySaved(this.ctx);
  }

  /** Adds (or re-checks) a contact by username and opens the direct conversation with them. */
  async startChat(username: string): Promise<ConversationId> {
    const contact = await addContact(this.ctx, username);
    const conv = await startConversation(this.ctx, contact.accountId);
    await this.prepare(conv.id);
    return conv.id;
  }

  /**
   * On opening a chat: re-check the contact's identity, make sure an epoch key exists (making the first
   * one if nobody has), and catch up on messages. Failures surface to the caller; the chat still opens.
   */
  async openConversation(id: ConversationId): Promise<void> {
    const conv = await requireConversation(this.ctx, id);
    if (conv.kind === "direct") await refreshContact(this.ctx, conv.peer);
    else await syncMembership(this.ctx, id);
    await this.prepare(id);
    await pullMessages(this.ctx, id);
  }

  private async prepare(id: ConversationId): Promise<void> {
    // Under the send lock, so a message typed meanwhile waits for the epoch instead of racing to make one.
    await withLock(`send:${id}`, async () => {
      const conv = await requireConversation(this.ctx, id);
      if (conv.kind === "group") {
        const g = await getGroup(this.ctx.db, id);
        const me = (await getAccount(this.ctx.db))?.accountId;
        if (g && g.refusedAt === undefined && g.members.some((m) => m.accountId === me)) await currentEpoch(this.ctx, conv);
        return;
      }
      const contact = await getContact(this.ctx.db, conv.peer);
      if (contact?.status === "verified") await currentEpoch(this.ctx, conv);
    });
  }

  /** Creates a group named `name` with these members (by username; each becomes a verified contact). */
  async createGroup(name: string, usernames: readonly string[]): Promise<ConversationId> {
    const id = await createGroup(this.ctx, name, usernames);
    await pullMessages(this.ctx, id).catch((e: unknown) => console.warn("could not fetch the new group's messages:", e));
    return id;
  }

  /** Admins only: adds a member; with history for new members on, shares the keys of earlier messages. */
  addMember(id: ConversationId, username: string, o: { admin?: boolean } = {}): Promise<void> {
    return addMember(this.ctx, id, username, o);
  }

  /** Admins only: removes a member, who reads nothing written afterwards. */
  removeMember(id: ConversationId, accountId: AccountId): Promise<void> {
    return removeMember(this.ctx, id, accountId);
  }

  leaveGroup(id: ConversationId): Promise<void> {
    return leaveGroup(this.ctx, id);
  }

  /** Admins only: makes a member an admin, or an admin a member. */
  setAdmin(id: ConversationId, accountId: AccountId, admin: boolean): Promise<void> {
    return setAdmin(this.ctx, id, accountId, admin);
  }

  /** Admins only: whether members added from now on can read the messages written before they joined. */
  setHistoryForNewMembers(id: ConversationId, on: boolean): Promise<void> {
    return setHistoryForNewMembers(this.ctx, id, on);
  }

  /** Any member: renames the group (the name is sealed under the group key). */
  renameGroup(id: ConversationId, name: string): Promise<void> {
    return renameGroup(this.ctx, id, name);
  }

  /** Seals and stores the message at once (shown as pending), then posts it in the background. */
  async send(id: ConversationId, text: string): Promise<MessageRow> {
    const row = await queueText(this.ctx, id, text);
    this.sync.flushSoon();
    return row;
  }

  /** Seals a failed message's text again as a new message and sends it (the refused one is dropped). */
  async retry(id: ConversationId, clientMessageId: string): Promise<MessageRow> {
    const row = await retryFailed(this.ctx, id, clientMessageId);
    this.sync.flushSoon();
    return row;
  }

  /** Deletes a failed message from this device. */
  discard(id: ConversationId, clientMessageId: string): Promise<void> {
    return discardFailed(this.ctx, id, clientMessageId);
  }

  safetyNumber(accountId: AccountId): Promise<string> {
    return contactSafetyNumber(this.ctx, accountId);
  }

  stop(): void {
    this.sync.stop();
  }
}
