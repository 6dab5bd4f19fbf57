// A device's realtime socket from Node: Node 20's WebSocket (undici, behind --experimental-websocket, which
// bench/run.mjs passes) with the session cookie and the Origin a browser would send.

/** undici's WebSocket takes headers in its second argument; the DOM typing does not know it. */
type NodeWebSocketCtor = new (url: string, init: { headers: Record<string, string> }) => WebSocket;

export interface MessageFrameSeen {
  /** performance.now() when the frame arrived, before parsing. */
  readonly at: number;
  readonly conversationId: string;
  readonly seq: number;
  readonly envelope: string;
}

export interface DeviceSocket {
  readonly socket: WebSocket;
  close(): void;
}

/**
 * Opens GET /api/realtime as the session in `cookie` and resolves after the server's hello frame.
 * `onMessage` gets every "message" frame; other frames (hello, epoch, conversation) are ignored.
 */
export function connectDevice(baseURL: string, cookie: string, onMessage: (m: MessageFrameSeen) => void, timeoutMs = 30_000): Promise<DeviceSocket> {
  const Ctor = (globalThis as unknown as { WebSocket?: NodeWebSocketCtor }).WebSocket;
  if (!Ctor) throw new Error("no global WebSocket: run Node 20 with --experimental-websocket (npm run bench does)");
  const socket = new Ctor(`${baseURL.replace(/^http/, "ws")}/api/realtime`, { headers: { Cookie: cookie, Origin: baseURL } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("realtime socket: no hello frame in time")), timeoutMs);
    socket.addEventListener("error", () => reject(new Error("realtime socket failed to open")));
    socket.addEventListener("message", (event: MessageEvent) => {
      const at = performance.now();
      const text = String(event.data);
      const frame = JSON.parse(text) as { type: string; conversationId?: string; seq?: number; envelope?: string };
      if (frame.type === "hello") {
        clearTimeout(timer);
        resolve({ socket, close: () => socket.close(1000) });
      } else if (frame.type === "message") {
        onMessage({ at, conversationId: frame.conversationId as string, seq: frame.seq as number, envelope: frame.envelope as string });
      }
    });
  });
}
