import { DurableObject } from "cloudflare:workers";
import { REALTIME_CLOSE_REVOKED, type RealtimeClientFrame, type RealtimeServerFrame } from "../../protocol/api.js";
import { AccountId, DeviceId, type ConversationId } from "../../protocol/ids.js";
import { pushFromHub } from "../push/hub-message-push.js";
import type { HubMessagePush, HubPushTable, PushTarget } from "../storage/push-store.js";
import { readClientFrame, refuse } from "./client-frame.js";
import type { HubBindings } from "./hub-env.js";
import type { HeldSession, HubSessionTable } from "../storage/session-store.js";
import { hubPushTable, hubSessionTable, hubStores, legacyPush, type PushHubMethods } from "./hub-stores.js";
import { fullBudget, spendTyping, type TypingBudget } from "./typing-budget.js";
import { relayTyping } from "./typing-relay.js";

/**
 * The header carrying the authenticated device id from the worker to the hub. A Durable Object can only
 * be reached through its namespace binding, never from the internet, so the hub trusts it; the worker
 * builds the hub's request itself rather than forwarding the client's headers.
 */
export const HUB_DEVICE_HEADER = "X-Sealed-Device-Id";
/** The authenticated account id, set by the worker alongside HUB_DEVICE_HEADER. */
export const HUB_ACCOUNT_HEADER = "X-Sealed-Account-Id";

/**
 * What the hub keeps with each socket (serializeAttachment: it survives hibernation, and lives in memory
 * only, never in storage): whose socket it is, for typing frames, and its typing budget.
 */
interface SocketAttachment {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly typing: TypingBudget;
}

function attachmentOf(ws: WebSocket): SocketAttachment | undefined {
  const a: unknown = ws.deserializeAttachment();
  if (typeof a !== "object" || a === null || !("accountId" in a) || !("deviceId" in a) || !("typing" in a)) return undefined;
  const { accountId, deviceId, typing } = a;
  if (!AccountId.is(accountId) || !DeviceId.is(deviceId) || typeof typing !== "object" || typing === null) return undefined;
  if (!("tokens" in typing) || !("at" in typing) || typeof typing.tokens !== "number" || typeof typing.at !== "number") return undefined;
  return { accountId, deviceId, typing: { tokens: typing.tokens, at: typing.at } };
}

/** The one ping spelling answered without waking the hub (setWebSocketAutoResponse matches exact text). */
const PING = JSON.stringify({ type: "ping" });
const PONG = JSON.stringify({ type: "pong" } satisfies RealtimeServerFrame);

// Close codes a peer may report but an endpoint must not send (RFC 6455 section 7.4.1).
const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015]);

/**
 * One per account (idFromName(accountId)): holds every realtime socket of the account's devices, so a
 * device needs one socket however many conversations it is in. Uses the hibernation API: sockets stay
 * connected while the object is evicted from memory, and each is tagged with its device id. The hub
 * stores no messages; what it pushes is already stored, and clients catch up by cursor. It does keep the
 * account's sessions and its devices' revocation marks (worker/db/hub-sessions.ts): the session check of a request;
 * and its devices' Web Push subscriptions and its mutes (worker/db/hub-push.ts): the hub that finds no
 * socket for a device pushes a new message to it, so a send reads no D1.
 * Typing frames are the one thing it relays from a client: to the other members' hubs, never stored.
 */
export class AccountHub extends DurableObject<HubBindings> implements PushHubMethods {
  private readonly sessions: HubSessionTable;
  private readonly push: HubPushTable;
  /** Set once D1's push rows of the account are known to be in the hub (held, so a send does not ask). */
  private pushMoved = false;

  constructor(ctx: DurableObjectState, env: HubBindings) {
    super(ctx, env);
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.sessions = hubSessionTable(ctx.storage.sql);
    this.push = hubPushTable(ctx.storage.sql);
  }

  /**
   * The push table, with the account's rows of the release before moved in from D1 on first use (other
   * events wait meanwhile): subscriptions of devices revoked here are left behind, and D1's rows are
   * deleted once the hub holds them.
   */
  private async pushTable(accountId: AccountId): Promise<HubPushTable> {
    if (this.pushMoved) return this.push;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.push.moved()) return;
      const legacy = legacyPush(this.env);
      const rows = await legacy.read(accountId);
      const subscriptions = rows.subscriptions.filter((s) => !this.sessions.isRevoked(s.deviceId));
      this.push.importLegacy({ subscriptions, mutes: rows.mutes }, Date.now(), (fn) => this.ctx.storage.transactionSync(fn));
      await legacy.remove(accountId).catch((e: unknown) => console.error(`deleting account ${accountId}'s moved push rows from D1 failed`, e));
    });
    this.pushMoved = true;
    return this.push;
  }

  /** Stores a device's push subscription, replacing its previous one; false (nothing stored) for a device revoked here. */
  async putPushSubscription(accountId: AccountId, s: PushTarget & { readonly now: number }): Promise<boolean> {
    const table = await this.pushTable(accountId);
    if (this.sessions.isRevoked(s.deviceId)) return false;
    table.put(s);
    return true;
  }

  /** Deletes these devices' subscriptions (only one still naming `endpoint`, when given); how many went. */
  async deletePushSubscriptions(accountId: AccountId, deviceIds: readonly DeviceId[], endpoint?: string): Promise<number> {
    return (await this.pushTable(accountId)).delete(deviceIds, endpoint);
  }

  async setPushMuted(accountId: AccountId, conversationId: ConversationId, muted: boolean): Promise<void> {
    (await this.pushTable(accountId)).setMuted(conversationId, muted);
  }

  async listPushMuted(accountId: AccountId, limit: number): Promise<ConversationId[]> {
    return (await this.pushTable(accountId)).listMuted(limit);
  }

  async pushTargets(accountId: AccountId, conversationId: ConversationId, includeMuted: boolean): Promise<PushTarget[]> {
    return (await this.pushTable(accountId)).targets(conversationId, includeMuted);
  }

  /**
   * A stored message, from its conversation object: the frame (serialized once there) to every socket of
   * the account, then, when `push` is given, Web Push to the subscribed devices that have no socket open.
   * Returns how many sockets the frame reached; the push is done when it returns (the conversation
   * object runs this call under waitUntil, after the sender's answer).
   */
  async deliverMessage(text: string, push: HubMessagePush | null): Promise<number> {
    const sent = this.broadcastText(text);
    if (push) await pushFromHub(this.env, () => this.pushTable(push.accountId), new Set(this.connectedDevices()), push);
    return sent;
  }

  /** Stores a second-form session of this account (worker/auth); false when the device was revoked here. */
  startSession(hash: Uint8Array, session: HeldSession): boolean {
    return this.sessions.start(hash, session, Date.now());
  }

  /**
   * The live session of a token hash, answered from the hub's own storage: unexpired, its device not
   * revoked. Marks the device seen in D1 (GET /api/devices) at most once a minute per session.
   */
  async findSession(hash: Uint8Array, now: number): Promise<HeldSession | undefined> {
    const found = this.sessions.find(hash, now);
    if (!found) return undefined;
    const { deviceId } = found.session;
    // Awaited, so the request's answer already sees it (GET /api/devices); once a minute per session at most.
    if (found.touch) await hubStores(this.env).sessions.touchDevice(deviceId, now).catch((e: unknown) => console.error(`marking device ${deviceId} seen failed`, e));
    return found.session;
  }

  /** Ends a session (sign-out); returns what it was, for the worker to clean up after it. */
  endSession(hash: Uint8Array): HeldSession | undefined {
    return this.sessions.end(hash);
  }

  /**
   * Refuses these devices from now on and drops their sessions and push subscriptions: called before D1
   * records the revoke.
   */
  revokeDevices(deviceIds: readonly DeviceId[]): void {
    const ids = deviceIds.filter((d) => DeviceId.is(d));
    this.sessions.revoke(ids);
    this.push.delete(ids);
  }

  /** Accepts a WebSocket upgrade forwarded by the worker's GET /api/realtime for an authenticated device. */
  override async fetch(request: Request): Promise<Response> {
    const deviceId = request.headers.get(HUB_DEVICE_HEADER);
    const accountId = request.headers.get(HUB_ACCOUNT_HEADER);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !DeviceId.is(deviceId) || !AccountId.is(accountId)) {
      return new Response("the hub accepts only WebSocket upgrades from the worker", { status: 400 });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [deviceId]);
    server.serializeAttachment({ accountId, deviceId, typing: fullBudget(Date.now()) } satisfies SocketAttachment);
    server.send(JSON.stringify({ type: "hello", deviceId } satisfies RealtimeServerFrame));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends a frame to every socket of the account; returns how many sockets it reached. */
  broadcast(frame: RealtimeServerFrame): number {
    return this.send(this.ctx.getWebSockets(), frame);
  }

  /**
   * Sends an already-serialized frame to every socket of the account; returns how many it reached. The
   * conversation object serializes a message's frame once for all members (worker/db/conversation-log/fan-out.ts).
   */
  broadcastText(text: string): number {
    return this.sendText(this.ctx.getWebSockets(), text);
  }

  /** Sends a frame to every socket of the account but those of `deviceId` (the one that caused it); returns how many. */
  broadcastExcept(deviceId: DeviceId, frame: RealtimeServerFrame): number {
    return this.send(
      this.ctx.getWebSockets().filter((ws) => !this.ctx.getTags(ws).includes(deviceId)),
      frame,
    );
  }

  /** Sends a frame to the sockets of one device only; returns how many it reached. */
  sendToDevice(deviceId: DeviceId, frame: RealtimeServerFrame): number {
    return this.send(this.ctx.getWebSockets(deviceId), frame);
  }

  /** The devices with an open socket now: Web Push skips them (worker/push/message-push.ts), they get the frame. */
  connectedDevices(): DeviceId[] {
    const devices = new Set<DeviceId>();
    for (const ws of this.ctx.getWebSockets()) for (const tag of this.ctx.getTags(ws)) if (DeviceId.is(tag)) devices.add(tag);
    return [...devices];
  }

  /**
   * Closes every socket of a revoked device with REALTIME_CLOSE_REVOKED; returns how many. Its sessions
   * are already gone, so a reconnect gets 401.
   */
  closeDevice(deviceId: DeviceId): number {
    let closed = 0;
    for (const ws of this.ctx.getWebSockets(deviceId)) {
      try {
        ws.close(REALTIME_CLOSE_REVOKED, "this device was removed from the account");
        closed += 1;
      } catch {
        // Already closing.
      }
    }
    return closed;
  }

  private send(sockets: readonly WebSocket[], frame: RealtimeServerFrame): number {
    return this.sendText(sockets, JSON.stringify(frame));
  }

  private sendText(sockets: readonly WebSocket[], text: string): number {
    let sent = 0;
    for (const ws of sockets) {
      try {
        ws.send(text);
        sent += 1;
      } catch {
        // A socket closing right now: its client reconnects and syncs by cursor, so nothing is lost.
      }
    }
    return sent;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const read = readClientFrame(message);
    const answer = "refused" in read ? read.refused : await this.answer(ws, read.frame);
    if (!answer) return;
    try {
      ws.send(JSON.stringify(answer));
    } catch {
      // Closed while the frame was handled.
    }
  }

  private async answer(ws: WebSocket, frame: RealtimeClientFrame): Promise<RealtimeServerFrame | undefined> {
    switch (frame.type) {
      case "ping":
        return { type: "pong" };
      case "typing": {
        const from = attachmentOf(ws);
        // A socket accepted before typing existed has no attachment; it reconnects at the next deploy.
        if (!from) return refuse("unavailable", "this socket cannot relay typing frames; reconnect");
        const spent = spendTyping(from.typing, Date.now());
        ws.serializeAttachment({ ...from, typing: spent.budget } satisfies SocketAttachment);
        if (!spent.allowed) return refuse("rate_limited", "too many typing frames; this one was dropped");
        return relayTyping({ frame, from, conversations: hubStores(this.env).conversations, push: (ids, f) => this.pushTo(ids, f) });
      }
    }
  }

  /** Pushes to other accounts' hubs. Never rejects: a typing frame that does not arrive is simply not shown. */
  private async pushTo(accountIds: readonly AccountId[], frame: RealtimeServerFrame): Promise<void> {
    const hubs = this.env.ACCOUNT_HUB;
    const results = await Promise.allSettled(accountIds.map((id) => hubs.get(hubs.idFromName(id)).broadcast(frame)));
    results.forEach((r, i) => {
      if (r.status === "rejected") console.error(`realtime push of ${frame.type} to account ${accountIds[i]} failed`, r.reason);
    });
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    // The hibernation API does not answer a peer's Close frame by itself; without this the client
    // waits in CLOSING until it times out. close() on a closed socket is a no-op.
    try {
      ws.close(RESERVED_CLOSE_CODES.has(code) ? 1000 : code, reason);
    } catch {
      // Already gone.
    }
  }

  override webSocketError(ws: WebSocket, error: unknown): void {
    console.error("realtime socket error", this.ctx.getTags(ws), error);
  }
}
