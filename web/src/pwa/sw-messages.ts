/**
 * Messages between the page and the service worker (postMessage). Each side checks what it receives
 * with these guards and ignores anything else. Plain guards rather than zod, so the service worker
 * stays small.
 */

/** The Background Sync tag the page registers while its outbox holds messages it could not send. */
export const OUTBOX_SYNC_TAG = "sealed-outbox";

/** Service worker -> page: the browser says the network is back (Background Sync); send the outbox now. */
export interface FlushOutboxMessage {
  readonly type: "flush-outbox";
}

function hasType(data: unknown, type: string): boolean {
  return typeof data === "object" && data !== null && (data as { type?: unknown }).type === type && Object.keys(data).length === 1;
}

/** Page -> service worker: activate the waiting worker (what workbox-window's messageSkipWaiting sends). */
export function isSkipWaiting(data: unknown): boolean {
  return hasType(data, "SKIP_WAITING");
}

export function isFlushOutbox(data: unknown): data is FlushOutboxMessage {
  return hasType(data, "flush-outbox");
}
