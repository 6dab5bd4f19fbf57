// A WebSocket stand-in for realtime tests: the server side calls serverSend/serverClose, the client
// side is the SocketLike the RealtimeConnection drives. Deliveries are asynchronous, like a browser's.
import type { RealtimeServerFrame } from "../../../protocol/api.js";
import type { SocketLike } from "../../../web/src/client/transport/realtime.js";

export class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  /** Frames the client sent, parsed. */
  readonly sent: unknown[] = [];
  closed = false;
  /** Called when either side closes. */
  onServerClose: (() => void) | undefined;

  send(data: string): void {
    if (this.closed) throw new Error("socket is closed");
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.finish(1000);
  }

  /** Delivers a frame (or raw text) to the client. */
  serverSend(frame: RealtimeServerFrame | string): void {
    const data = typeof frame === "string" ? frame : JSON.stringify(frame);
    queueMicrotask(() => {
      if (!this.closed) this.onmessage?.({ data } as MessageEvent);
    });
  }

  serverClose(code = 1006): void {
    queueMicrotask(() => this.finish(code));
  }

  private finish(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.onServerClose?.();
    this.onclose?.({ code, reason: "" } as CloseEvent);
  }
}
