import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { FrameEvent, RealtimeConnection, realtimeUrl } from "../../../web/src/client/transport/realtime.js";
import { FakeSocket } from "./fake-socket.js";

const DEVICE = "AAAAAAAAAAAAAAAAAAAAAA";

/** A connection whose sockets are recorded; `accept` makes the next one answer hello. */
function harness(o: { accept?: boolean } = {}) {
  const sockets: FakeSocket[] = [];
  let accept = o.accept ?? true;
  const rt = new RealtimeConnection({
    url: "ws://x/api/realtime",
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      if (accept) s.serverSend({ type: "hello", deviceId: DEVICE as never });
      else s.serverClose(1006);
      return s;
    },
    backoff: { initialMs: 1000, maxMs: 30_000, random: () => 0.999999 },
    pingAfterMs: 25_000,
    deadAfterMs: 10_000,
  });
  const frames: string[] = [];
  let connected = 0;
  rt.addEventListener("frame", (e) => frames.push((e as FrameEvent).frame.type));
  rt.addEventListener("connected", () => connected++);
  return { rt, sockets, frames, connected: () => connected, setAccept: (a: boolean) => (accept = a) };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("the realtime connection", () => {
  test("derives ws: and wss: URLs from the page's origin", () => {
    expect(realtimeUrl("http://127.0.0.1:8787")).toBe("ws://127.0.0.1:8787/api/realtime");
    expect(realtimeUrl("https://chat.example")).toBe("wss://chat.example/api/realtime");
  });

  test("is open once the server says hello, and passes on every valid frame", async () => {
    const h = harness();
    h.rt.start();
    expect(h.rt.state).toBe("connecting");
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rt.state).toBe("open");
    expect(h.connected()).toBe(1);
    const s = h.sockets[0]!;
    s.serverSend({ type: "conversation", conversationId: DEVICE as never });
    s.serverSend({ type: "epoch", conversationId: DEVICE as never, epoch: 1 });
    s.serverSend({ type: "pong" });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.frames).toEqual(["conversation", "epoch"]);
    h.rt.stop();
  });

  test.each([
    ["not JSON", "{nope"],
    ["an unknown type", JSON.stringify({ type: "gossip" })],
    ["a malformed message frame", JSON.stringify({ type: "message", conversationId: "x", seq: -1, envelope: "", receivedAt: 0 })],
    ["a hello with a bad device id", JSON.stringify({ type: "hello", deviceId: "!" })],
  ])("ignores %s and stays connected", async (_what, raw) => {
    const h = harness();
    h.rt.start();
    await vi.advanceTimersByTimeAsync(0);
    h.sockets[0]!.serverSend(raw);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.frames).toEqual([]);
    expect(h.rt.state).toBe("open");
    expect(h.sockets).toHaveLength(1);
    h.rt.stop();
  });

  test("reconnects with growing delays while the server refuses, and catches up on success", async () => {
    const h = harness({ accept: false });
    h.rt.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rt.state).toBe("waiting");
    // Delays with random() at its top: 1 s, 2 s, 4 s, 8 s ...
    for (const [wait, total] of [
      [999, 1],
      [1, 2],
      [1999, 2],
      [1, 3],
      [3999, 3],
      [1, 4],
    ] as const) {
      await vi.advanceTimersByTimeAsync(wait);
      expect(h.sockets).toHaveLength(total);
    }
    h.setAccept(true);
    await vi.advanceTimersByTimeAsync(8000);
    expect(h.sockets).toHaveLength(5);
    expect(h.rt.state).toBe("open");
    expect(h.connected()).toBe(1);
    h.rt.stop();
  });

  test("the delay never grows past 30 s", async () => {
    const h = harness({ accept: false });
    h.rt.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const n = h.sockets.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.sockets.length).toBe(n + 1);
    h.rt.stop();
  });

  test("a dropped connection reconnects and says hello again (the cue to catch up)", async () => {
    const h = harness();
    h.rt.start();
    await vi.advanceTimersByTimeAsync(0);
    h.sockets[0]!.serverClose(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rt.state).toBe("waiting");
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.rt.state).toBe("open");
    expect(h.connected()).toBe(2);
    h.rt.stop();
  });

  test("pings after a quiet spell and drops a socket that never answers", async () => {
    const h = harness();
    h.rt.start();
    await vi.advanceTimersByTimeAsync(0);
    const s = h.sockets[0]!;
    await vi.advanceTimersByTimeAsync(25_000);
    expect(s.sent).toEqual([{ type: "ping" }]);
    s.serverSend({ type: "pong" });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(s.sent).toHaveLength(2);
    // No pong this time: after 10 s the socket is given up and a new one opened.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sockets).toHaveLength(2);
    expect(h.rt.state).toBe("open");
    h.rt.stop();
  });

  test("suspend closes and stops retrying; resume reconnects at once", async () => {
    const h = harness();
    h.rt.start();
    await vi.advanceTimersByTimeAsync(0);
    h.rt.suspend();
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.rt.state).toBe("idle");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.sockets).toHaveLength(1);
    h.rt.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.sockets).toHaveLength(2);
    expect(h.rt.state).toBe("open");
    h.rt.stop();
  });
});
