/**
 * web/src/client/: the client core, no rendering. This root holds the door and what every part shares:
 * index.ts (the UI's only way in), client.ts (ChatClient, the one object the UI holds, with its facades
 * in facades/), context.ts (ClientContext: store, the three transports, crypto, clock, made once),
 * errors.ts (ClientError, root of the client's errors), env.ts (WebCrypto as the protocol's CryptoEnv),
 * headless.ts (a ChatClient for Node). The parts, each with its own header: store/, transport/,
 * identity/, conversations/, groups/, sync/, link/, recovery/, views/, attachments/.
 */
import type { ExportOptions, ExportResult } from "./export/export-file.js";
import type { AccountId, ConversationId, CryptoEnv, DeviceId, Mention, MessageRef, VerifyOutcome } from "../../../protocol/index.js";
import { confirmRecoverySaved, logIn, resumeSession, signUp, type Session } from "./identity/account.js";
import { Api, isApiError } from "./transport/api.js";
import { addContact, contactSafetyNumber, refreshContact } from "./identity/contacts.js";
import { clearVerified, markVerified, myVerifyCode, scanVerifyCode, trustAgain } from "./identity/verification.js";
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
import { queueDelete, queueEdit, queueReaction, queueReply } from "./conversations/message-actions.js";
import { pullMessages } from "./sync/receive.js";
import { RealtimeConnection, realtimeUrl } from "./transport/realtime.js";
import { resealRecoveryBlob } from "./recovery/reseal.js";
import { RecoveryApi } from "./transport/recovery-api.js";
import type { MessageRow } from "./store/rows.js";
import { Syncer, type SyncOptions } from "./sync/sync.js";
// The page's signature worker for the receive path (sync/verify-pool.ts); not imported by receive.ts itself,
// which the service worker bundles too, and a service worker can start no worker.
import "./sync/verify-worker-app.js";
import { loadHistory, type HistoryProgress } from "./sync/history.js";
import { removalProven, wipeDevice } from "./identity/removal.js";
import { AttachmentsFacade } from "./facades/attachments.js";
import { DevicesFacade } from "./facades/devices.js";
import { LinkFacade } from "./facades/link.js";
import { RecoveryFacade } from "./facades/recovery.js";
import { ViewsFacade } from "./facades/views.js";
import { Drafts } from "./conversations/drafts.js";
import { TypingFacade, type SettingStorage } from "./facades/typing.js";
import { DeviceSettings } from "./settings.js";
import { RECEIPT_DELAY_MS, ReceiptSender } from "./sync/receipts.js";
import { PushFacade } from "./push/facade.js";
import type { PushApi } from "./transport/push-api.js";
import { SearchFacade } from "./search/search-facade.js";
import { ChatControls } from "./chats/chat-controls.js";
import { signOut, signOutPlan, type SignOutPlan } from "./identity/sign-out.js";
import { SignOutTabs, type SignOutSignal } from "./identity/sign-out-tabs.js";
import { ProfilesFacade } from "./profiles/facade.js";

export interface ClientOptions {
  readonly db?: SealedDb;
  readonly api?: Api;
  readonly env?: CryptoEnv;
  readonly origin?: string;
  readonly now?: () => number;
  /** Start the polling loop once signed in (default true; tests drive `sync.syncNow()` instead). */
  readonly autoSync?: boolean;
  /**
   * Delay of delivered and read marks after what calls for them. Default 1 s when the sync loop runs;
   * null (the default with autoSync off): only `receipts.flush()` sends them, so tests decide when.
   */
  readonly receiptDelayMs?: number | null;
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
  /** Where per-device settings are kept (the typing setting). Default: localStorage, or memory without it. */
  readonly settings?: SettingStorage;
  /** The Web Push calls (docs/API.md "Push"). Default: this page's origin. */
  readonly pushApi?: PushApi;
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
 * Whether the server lets this device in: `refused` when it refused to log it in although this device's
 * own verified log still lists it (every local byte is kept; the user can retry), `removed` once that log
 * showed it removed and its data was wiped (issue 15 item 7).
 */
export type DeviceStatus = "active" | "refused" | "removed";

/**
 * The client core as one object for the UI (web/src/client/index.ts is the UI's only way in): it owns
 * the store, the API and the sync loop, exposes actions, and hands out facades for the parts with many
 * actions (`devices`, `recovery`, `link`, `views`). It renders nothing.
 *
 * Events: "device-status" when `deviceStatus` changes; "signed-out" once this browser was signed out (in
 * this tab or another one) and its local data deleted.
 */
export class ChatClient extends EventTarget {
  /** @internal The operations' context: tests and the headless client use it; the UI's type omits it. */
  readonly ctx: ClientContext;
  readonly sync: Syncer;
  session: Session | undefined;
  deviceStatus: DeviceStatus = "active";
  /** The id of this device once its own log showed it removed (for the notice). */
  removedDeviceId: DeviceId | undefined;
  readonly devices: DevicesFacade;
  readonly recovery: RecoveryFacade;
  readonly link: LinkFacade;
  readonly views: ViewsFacade;
  /** The files of attachment messages: open (download, check, decrypt), send, cancel and retry uploads. */
  readonly attachments: AttachmentsFacade;
  /** Typing indicators: report this device's, see who else is typing (realtime socket only). */
  readonly typing: TypingFacade;
  /** Each chat's unsent text, kept on this device only. */
  readonly drafts = new Drafts();
  /** This device's switches (read receipts). */
  readonly settings: DeviceSettings;
  /** The delivered and read marks this device sends, and which chat is on screen. */
  readonly receipts: ReceiptSender;
  /** Web Push on this device: opt-in, privacy of what notifications show, muted chats (issue 19). */
  readonly push: PushFacade;
  /** Full-text search over this device's history, from a local index kept in the background. */
  readonly search: SearchFacade;
  /** The chat list's controls on this device: pin, archive, mark unread, block, delete for me (issue 21). */
  readonly chats: ChatControls;
  /** This account's display name and avatar, and the profiles of the people it talks to (issue 21). */
  readonly profiles: ProfilesFacade;
  private readonly autoSync: boolean;
  private readonly tabs: SignOutTabs;
  /**
   * This tab or another one is signing this browser out: a refusal meanwhile (a request in flight when
   * the server ended the device) is that, not a removal to act on.
   */
  private signingOut = false;

  constructor(o: ClientOptions = {}) {
    super();
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
    this.devices = new DevicesFacade(this.ctx);
    this.recovery = new RecoveryFacade(this.ctx);
    this.link = new LinkFacade(this.ctx);
    this.attachments = new AttachmentsFacade(this.ctx, this.sync);
    this.settings = new DeviceSettings(o.settings);
    this.views = new ViewsFacade(this.ctx.db, this.settings);
    this.typing = new TypingFacade(this.ctx, realtime, o.settings ? { storage: o.settings } : {});
    this.receipts = new ReceiptSender(this.ctx, {
      delayMs: o.receiptDelayMs !== undefined ? o.receiptDelayMs : this.autoSync ? RECEIPT_DELAY_MS : null,
      settings: this.settings,
      afterQueue: () => this.sync.flushSoon(),
    });
    this.push = new PushFacade(this.ctx, o.pushApi);
    this.search = new SearchFacade(this.ctx);
    this.chats = new ChatControls(this.ctx.db, () => this.sync.flushSoon());
    this.profiles = new ProfilesFacade(this.ctx, () => this.sync.flushSoon());
    this.sync.addEventListener("refused", () => void this.onRefused());
    this.tabs = new SignOutTabs((signal) => this.onOtherTab(signal));
  }

  private onOtherTab(signal: SignOutSignal): void {
    if (signal === "signing-out") {
      this.signingOut = true;
      this.stop();
    } else if (signal === "sign-out-failed") {
      this.signingOut = false;
      if (this.autoSync && this.session) this.startBackground();
    } else this.dispatchEvent(new Event("signed-out"));
  }

  /**
   * What signing out would lose (other devices left, whether the account can be recovered, unsent
   * messages): asks the server, so it fails offline, before anything is asked of the user.
   */
  signOutPlan(): Promise<SignOutPlan> {
    return signOutPlan(this.ctx);
  }

  /**
   * Signs this browser out of the account (identity/sign-out.ts): the device leaves the account on the
   * server, then its keys, history and push subscription are deleted here and in every other tab. Fails
   * with everything kept when the server cannot be reached. Fires "signed-out" when done.
   */
  async signOut(): Promise<void> {
    this.signingOut = true;
    this.stop();
    this.tabs.post("signing-out");
    try {
      await signOut(this.ctx, { unsubscribePush: () => this.push.turnOffQuietly() });
    } catch (e) {
      this.signingOut = false;
      this.tabs.post("sign-out-failed");
      if (this.autoSync && this.session) this.startBackground();
      throw e;
    }
    this.session = undefined;
    this.tabs.post("signed-out");
    this.dispatchEvent(new Event("signed-out"));
  }

  /**
   * The server refused to log this device in. Only this device's own verified log can say it was
   * removed: then its keys and history are wiped; otherwise nothing is touched and the UI says the
   * server refused it.
   */
  private async onRefused(): Promise<void> {
    if (this.signingOut) return;
    this.sync.stop();
    this.search.stop();
    if (await removalProven(this.ctx)) {
      await this.push.turnOffQuietly();
      this.removedDeviceId = await wipeDevice(this.ctx, { removed: true });
      this.setDeviceStatus("removed");
    } else this.setDeviceStatus("refused");
  }

  private setDeviceStatus(s: DeviceStatus): void {
    this.deviceStatus = s;
    this.dispatchEvent(new Event("device-status"));
  }

  /** After "refused": logs in again; on success syncing resumes, on another refusal the log is checked again. */
  async retryAfterRefusal(): Promise<void> {
    try {
      this.session = await logIn(this.ctx);
    } catch (e) {
      if (isApiError(e, "forbidden") || isApiError(e, "login_failed")) return this.onRefused();
      throw e;
    }
    this.setDeviceStatus("active");
    if (this.autoSync) this.startBackground();
  }

  /**
   * Deletes every key and message of this device, at the user's request (a device the server refuses,
   * to restore or link it again). Nothing is sent: the account and other devices are unchanged.
   */
  /**
   * Chats decrypted into one file on this device (docs/decisions.md "Export"): HTML or JSON, with the
   * files in a .zip when asked. Loaded on first use, so the export code (and its zip library) is not in
   * the app shell.
   */
  async exportChats(o: ExportOptions): Promise<ExportResult> {
    const { exportChats } = await import("./export/export-file.js");
    return exportChats(this.ctx, o);
  }

  async forgetThisDevice(): Promise<void> {
    this.stop();
    await this.push.turnOffQuietly();
    await wipeDevice(this.ctx, { removed: false });
  }

  /** Loads the whole history of a device that just joined (linked or restored), reporting progress. */
  loadHistory(onProgress: (p: HistoryProgress) => void): Promise<HistoryProgress> {
    // The search index is built once the history is readable, not while it loads (issue 20: restore no slower).
    return this.search.holdWhile(() => loadHistory(this.ctx, onProgress));
  }

  get db(): SealedDb {
    return this.ctx.db;
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
      // The challenge refused as forbidden: the same check as a refusal in the sync loop, before anything else.
      if (isApiError(e, "forbidden")) {
        await this.onRefused();
        return true;
      }
      if (!unreachable(e)) throw e;
    }
    if (this.autoSync) this.startBackground();
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
    if (this.autoSync) this.startBackground();
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

  /** Seals and stores the message at once (shown as pending), then posts it in the background; `mentions` name accounts in `text` (a group's @mentions). */
  async send(id: ConversationId, text: string, mentions?: readonly Mention[]): Promise<MessageRow> {
    await this.chats.assertNotBlocked(id);
    const row = await queueText(this.ctx, id, text, mentions);
    this.sync.flushSoon();
    return row;
  }

  /** Replies to `to` (quoting it); queued and sent like a text. */
  async reply(id: ConversationId, to: MessageRef, text: string, mentions?: readonly Mention[]): Promise<MessageRow> {
    await this.chats.assertNotBlocked(id);
    return this.flushed(queueReply(this.ctx, id, to, text, mentions));
  }

  /** Sets this account's reaction to `to` (one per account: it replaces the earlier one), or removes it with null. */
  async react(id: ConversationId, to: MessageRef, emoji: string | null): Promise<MessageRow> {
    return this.flushed(queueReaction(this.ctx, id, to, emoji));
  }

  /** Replaces the text of one's own message `to` on every device (the last edit wins). */
  async edit(id: ConversationId, to: MessageRef, text: string, mentions?: readonly Mention[]): Promise<MessageRow> {
    return this.flushed(queueEdit(this.ctx, id, to, text, mentions));
  }

  /** Deletes one's own sent message for everyone: a tombstone on every device, its text gone from this one at once. */
  async deleteForEveryone(id: ConversationId, to: MessageRef): Promise<MessageRow> {
    return this.flushed(queueDelete(this.ctx, id, to));
  }

  private async flushed(queued: Promise<MessageRow>): Promise<MessageRow> {
    const row = await queued;
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

  /** After a change queued for the account's other devices (chat settings): flush soon. */
  private async shared<T>(change: Promise<T>): Promise<T> {
    const r = await change;
    this.sync.flushSoon();
    return r;
  }

  /** Verification of a contact: the QR text to show, a scanned code, marks by hand, re-trust after a reset. */
  readonly verification = {
    myCode: (accountId: AccountId): Promise<string> => myVerifyCode(this.ctx, accountId),
    scan: (accountId: AccountId, text: string): Promise<VerifyOutcome> => this.shared(scanVerifyCode(this.ctx, accountId, text)),
    mark: (accountId: AccountId): Promise<unknown> => this.shared(markVerified(this.ctx, accountId)),
    clear: (accountId: AccountId): Promise<unknown> => this.shared(clearVerified(this.ctx, accountId)),
    trustAgain: (accountId: AccountId): Promise<unknown> => this.shared(trustAgain(this.ctx, accountId)),
  };

  /** The sync loop and the search indexer, which indexes what sync stores. */
  private startBackground(): void {
    this.sync.start();
    this.search.start();
    // Profiles named while a fetch failed (offline) are fetched again at each start.
    void this.profiles.refresh().catch((e: unknown) => console.warn("could not refresh profiles:", e));
  }

  stop(): void {
    this.search.stop();
    this.typing.stop();
    this.sync.stop();
    this.receipts.stop();
  }
}
