import { expect } from "vitest";
import type { LoggedInAccount } from "../support/account.js";
import { RealtimeInbox } from "../support/realtime-inbox.js";
import { api } from "./api.js";

export interface TestSocket {
  readonly ws: WebSocket;
  readonly inbox: RealtimeInbox;
  /** Sends a ping and waits for the next frame to be its pong. */
  roundTrip(): Promise<void>;
}

const open: WebSocket[] = [];

/**
 * Opens `as`'s realtime socket through the worker's fetch handler, as a browser would (cookie, Origin,
 * Upgrade), and waits for the hello frame, so the socket is known to be in the hub when this returns.
 */
export async function connectRealtime(as: LoggedInAccount): Promise<TestSocket> {
  const res = await api.call("GET", "/api/realtime", { cookie: as.cookie, headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (res.status !== 101 || !ws) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const inbox = new RealtimeInbox(ws);
  ws.accept();
  open.push(ws);
  expect(await inbox.next()).toEqual({ type: "hello", deviceId: as.deviceId });
  return {
    ws,
    inbox,
    async roundTrip() {
      ws.send(JSON.stringify({ type: "ping" }));
      expect(await inbox.next()).toEqual({ type: "pong" });
    },
  };
}

/** Closes every socket opened by connectRealtime (call from afterEach). */
export function closeAllRealtime(): void {
  for (const ws of open.splice(0)) {
    try {
      ws.close(1000, "test over");
    } catch {
      // Already closed by the test.
    }
  }
}
