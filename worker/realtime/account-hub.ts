import { DurableObject } from "cloudflare:workers";
import { REALTIME_CLOSE_REVOKED, type RealtimeServerFrame } from "../../protocol/api.js";
import { DeviceId } from "../../protocol/ids.js";
import { answerClientFrame } from "./client-frame.js";

/**
 * The header carrying the authenticated device id from the worker to the hub. A Durable Object can only
 * be reached through its namespace binding, never from the internet, so the hub trusts it; the worker
 * builds the hub's request itself rather than forwarding the client's headers.
 */
export const HUB_DEVICE_HEADER = "X-Sealed-Device-Id";

/** The one ping spelling answered without waking the hub (setWebSocketAutoResponse matches exact text). */
const PING = JSON.stringify({ type: "ping" });
const PONG = JSON.stringify({ type: "pong" } satisfies RealtimeServerFrame);

// Close codes a peer may report but an endpoint must not send (RFC 6455 section 7.4.1).
const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015]);

/**
 * One per account (idFromName(accountId)): holds every realtime socket of the account's devices, so a
 * device needs one socket however many conversations it is in. Uses the hibernation API: sockets stay
 * connected while the object is evicted from memory, and each is tagged with its device id. The hub
 * keeps no state of its own; what it pushes is already stored in D1, and clients catch up by cursor.
 */
export class AccountHub extends DurableObject<unknown> {
  // The hub reads no bindings: its env is left unknown on purpose.
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Accepts a WebSocket upgrade forwarded by the worker's GET /api/realtime for an authenticated device. */
  override async fetch(request: Request): Promise<Response> {
    const deviceId = request.headers.get(HUB_DEVICE_HEADER);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !DeviceId.is(deviceId)) {
      return new Response("the hub accepts only WebSocket upgrades from the worker", { status: 400 });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [deviceId]);
    server.send(JSON.stringify({ type: "hello", deviceId } satisfies RealtimeServerFrame));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends a frame to every socket of the account; returns how many sockets it reached. */
  broadcast(frame: RealtimeServerFrame): number {
    return this.send(this.ctx.getWebSockets(), frame);
  }

  /** Sends a frame to the sockets of one device only; returns how many it reached. */
  sendToDevice(deviceId: DeviceId, frame: RealtimeServerFrame): number {
    return this.send(this.ctx.getWebSockets(deviceId), frame);
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
    const text = JSON.stringify(frame);
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

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    ws.send(JSON.stringify(answerClientFrame(message)));
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
