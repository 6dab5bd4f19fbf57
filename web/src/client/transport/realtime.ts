import { realtimeServerFrame, type RealtimeClientFrame, type RealtimeServerFrame } from "../../../../protocol/api.js";
import { Backoff, type BackoffOptions } from "./backoff.js";

/**
 * The device's one WebSocket to GET /api/realtime (authenticated by the session cookie). It reconnects
 * with exponential backoff and jitter, checks liveness with pings, and parses every frame with the
 * protocol's schema. It only carries frames: what they mean for the store is push.ts's business.
 *
 * Events: "state" when `state` changes; "connected" on each `hello` (the socket is live and
 * authenticated: the moment to catch up by cursor); "frame" (a FrameEvent) for every other valid frame.
 * `send` carries the one client frame that is not a keep-alive (typing).
 */

/** The part of the browser's WebSocket this uses, so tests can supply a fake. */
export interface SocketLike {
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

/** `idle`: not started or suspended; `connecting`: handshake until `hello`; `open`: live; `waiting`: backing off. */
export type RealtimeState = "idle" | "connecting" | "open" | "waiting";

export interface RealtimeOptions {
  /** ws: or wss: URL of /api/realtime. */
  readonly url: string;
  readonly createSocket?: SocketFactory;
  /** Reconnect delays (default: 0.5-1 s first, growing to 15-30 s). */
  readonly backoff?: BackoffOptions;
  /** A ping after this long without a frame (ms). */
  readonly pingAfterMs?: number;
  /** The socket counts as dead when nothing arrives this long after a ping or the handshake (ms). */
  readonly deadAfterMs?: number;
}

export class FrameEvent extends Event {
  constructor(readonly frame: RealtimeServerFrame) {
    super("frame");
  }
}

/** ws(s)://host/api/realtime for a page at `origin`. */
export function realtimeUrl(origin: string): string {
  const u = new URL("/api/realtime", origin);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.href;
}

/** Our own close codes (RFC 6455 section 7.4.2: 4000-4999 are for applications). */
const CLOSE_DEAD = 4000;
const CLOSE_SUSPENDED = 4001;
/** The server's close code for a device removed from its account (docs/API.md). */
const CLOSE_REVOKED = 4401;

export class RealtimeConnection extends EventTarget {
  state: RealtimeState = "idle";
  private socket: SocketLike | undefined;
  private readonly backoff: Backoff;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private deadTimer: ReturnType<typeof setTimeout> | undefined;
  private enabled = false;
  private openedAt = 0;
  private readonly createSocket: SocketFactory;

  constructor(private readonly o: RealtimeOptions) {
    super();
    this.backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, ...o.backoff });
    this.createSocket = o.createSocket ?? ((url) => new WebSocket(url));
  }

  /** Connects, and keeps reconnecting until `suspend` or `stop`. */
  start(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.connect();
  }

  /** Closes the socket and stops reconnecting (the network is known to be down). `resume` undoes it. */
  suspend(): void {
    this.enabled = false;
    this.teardown(CLOSE_SUSPENDED, "suspended");
    this.setState("idle");
  }

  /** Reconnects now, forgetting past failures (the network just came back). No-op while open. */
  resume(): void {
    this.enabled = true;
    this.backoff.reset();
    if (this.state === "open" || this.state === "connecting") return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  stop(): void {
    this.suspend();
  }

  /**
   * Sends a client frame if the socket is live (`open`); returns whether it went out. Never queued: what
   * goes this way (typing) is worthless later, and everything else reaches the server over HTTP.
   */
  send(frame: RealtimeClientFrame): boolean {
    if (this.state !== "open" || !this.socket) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch {
      // Closing right now: onclose reconnects.
      return false;
    }
  }

  private setState(s: RealtimeState): void {
    if (s === this.state) return;
    this.state = s;
    this.dispatchEvent(new Event("state"));
  }

  private connect(): void {
    if (!this.enabled) return;
    this.teardown(1000, "reconnecting");
    this.setState("connecting");
    let ws: SocketLike;
    try {
      ws = this.createSocket(this.o.url);
    } catch (e) {
      console.warn("realtime: cannot open a socket:", e);
      this.scheduleReconnect();
      return;
    }
    this.socket = ws;
    // Until `hello` arrives the connection is not known to be authenticated and live.
    this.armDeadTimer();
    ws.onmessage = (ev) => {
      if (this.socket === ws) this.onMessage(ev.data);
    };
    ws.onclose = (ev) => {
      if (ev.code === CLOSE_REVOKED) this.dispatchEvent(new Event("revoked"));
      if (this.socket !== ws) return;
      this.socket = undefined;
      this.clearTimers();
      // A connection that stayed up a while starts the backoff over; one that keeps dropping does not.
      if (this.state === "open" && performance.now() - this.openedAt > 10_000) this.backoff.reset();
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      // Always followed by close.
    };
  }

  private scheduleReconnect(): void {
    if (!this.enabled) {
      this.setState("idle");
      return;
    }
    this.setState("waiting");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), this.backoff.next());
  }

  private onMessage(data: unknown): void {
    this.armPing();
    if (typeof data !== "string") return;
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      console.warn("realtime: a frame that is not JSON was ignored");
      return;
    }
    const parsed = realtimeServerFrame.safeParse(raw);
    if (!parsed.success) {
      // A frame type added later, or a broken server: ignored, the cursor catch-up covers for it.
      console.warn("realtime: an unknown frame was ignored:", parsed.error.issues[0]?.message);
      return;
    }
    const frame = parsed.data;
    if (frame.type === "hello") {
      this.openedAt = performance.now();
      this.setState("open");
      this.dispatchEvent(new Event("connected"));
      return;
    }
    if (frame.type === "pong") return;
    if (frame.type === "error") console.warn(`realtime: the server refused a frame (${frame.code}): ${frame.message}`);
    this.dispatchEvent(new FrameEvent(frame));
  }

  /** Any frame proves the socket alive; after a quiet spell, ping and expect something back. */
  private armPing(): void {
    clearTimeout(this.deadTimer);
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      try {
        this.socket?.send(JSON.stringify({ type: "ping" } satisfies RealtimeClientFrame));
      } catch {
        // Closing already: onclose reconnects.
      }
      this.armDeadTimer();
    }, this.o.pingAfterMs ?? 25_000);
  }

  private armDeadTimer(): void {
    clearTimeout(this.deadTimer);
    this.deadTimer = setTimeout(() => {
      const ws = this.socket;
      if (!ws) return;
      // A half-open TCP connection never reports close: drop it and reconnect ourselves.
      console.warn("realtime: no answer from the server, reconnecting");
      this.socket = undefined;
      this.clearTimers();
      try {
        ws.close(CLOSE_DEAD, "no answer");
      } catch {
        // Ignore: it is being replaced.
      }
      this.scheduleReconnect();
    }, this.o.deadAfterMs ?? 10_000);
  }

  private clearTimers(): void {
    clearTimeout(this.pingTimer);
    clearTimeout(this.deadTimer);
  }

  private teardown(code: number, reason: string): void {
    clearTimeout(this.retryTimer);
    this.clearTimers();
    const ws = this.socket;
    this.socket = undefined;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }
}
