import { realtimeServerFrame, type RealtimeServerFrame } from "../../protocol/api.js";

type FrameType = RealtimeServerFrame["type"];
export type FrameOf<K extends FrameType> = Extract<RealtimeServerFrame, { type: K }>;

/** What the inbox needs of a socket: workerd's, the browser's and Node's WebSocket all fit. */
export interface MessageSource {
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

/**
 * Collects the server frames of one realtime socket, each parsed with `realtimeServerFrame` as the web
 * client parses them; a frame that does not parse fails the next wait. Runtime-neutral.
 */
export class RealtimeInbox {
  /** Every frame received, in order. */
  readonly frames: RealtimeServerFrame[] = [];
  private readonly unparsed: unknown[] = [];
  private read = 0;
  private readonly waiters = new Set<() => void>();

  constructor(source: MessageSource) {
    source.addEventListener("message", (event) => {
      const parsed = typeof event.data === "string" ? realtimeServerFrame.safeParse(safeJson(event.data)) : undefined;
      if (parsed?.success) this.frames.push(parsed.data);
      else this.unparsed.push(event.data);
      for (const wake of this.waiters) wake();
    });
  }

  /** The next frame not yet taken by `next`, in arrival order. */
  next(timeoutMs = 5000): Promise<RealtimeServerFrame> {
    return this.until(
      () => {
        const frame = this.frames[this.read];
        if (frame) this.read += 1;
        return frame;
      },
      timeoutMs,
      "the next frame",
    );
  }

  /** The first frame of `type` received so far (taken or not) that matches, waiting for one if none has. */
  waitFor<K extends FrameType>(type: K, match: (f: FrameOf<K>) => boolean = () => true, timeoutMs = 5000): Promise<FrameOf<K>> {
    return this.until(() => this.ofType(type).find(match), timeoutMs, `a matching ${type} frame`);
  }

  /** The frames of one type received so far. */
  ofType<K extends FrameType>(type: K): FrameOf<K>[] {
    return this.frames.filter((f): f is FrameOf<K> => f.type === type);
  }

  private async until<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.unparsed.length) throw new Error(`a frame did not parse as realtimeServerFrame: ${String(this.unparsed[0])}`);
      const value = get();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
