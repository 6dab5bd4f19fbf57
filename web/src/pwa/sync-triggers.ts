import type { Syncer } from "../client/index.js";
import { OUTBOX_SYNC_TAG, isFlushOutbox } from "./sw-messages.js";

/** Background Sync (WICG) is not in TypeScript's DOM lib; Chromium has it, Firefox and Safari do not. */
interface SyncManager {
  register(tag: string): Promise<void>;
}

async function registerBackgroundSync(): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const reg = (await navigator.serviceWorker.getRegistration()) as (ServiceWorkerRegistration & { sync?: SyncManager }) | undefined;
  await reg?.sync?.register(OUTBOX_SYNC_TAG);
}

/**
 * Wires the browser's signals to the sync loop: online/offline, the tab coming back into view or
 * focus, and the service worker's Background Sync message. When the outbox stalls, a sync tag is
 * registered so the browser wakes the service worker (which tells open pages to flush) as soon as it
 * has a network. Returns a function that unwires everything.
 */
export function wireSyncTriggers(sync: Syncer): () => void {
  const online = () => sync.setNetwork(true);
  const offline = () => sync.setNetwork(false);
  const focus = () => {
    if (document.visibilityState === "visible") void sync.syncNow();
  };
  const stalled = () => void registerBackgroundSync().catch((e: unknown) => console.warn("background sync unavailable:", e));
  const fromWorker = (e: MessageEvent) => {
    if (isFlushOutbox(e.data)) void sync.syncNow();
  };
  if (!navigator.onLine) sync.setNetwork(false);
  window.addEventListener("online", online);
  window.addEventListener("offline", offline);
  window.addEventListener("focus", focus);
  document.addEventListener("visibilitychange", focus);
  sync.addEventListener("stalled", stalled);
  navigator.serviceWorker?.addEventListener("message", fromWorker);
  return () => {
    window.removeEventListener("online", online);
    window.removeEventListener("offline", offline);
    window.removeEventListener("focus", focus);
    document.removeEventListener("visibilitychange", focus);
    sync.removeEventListener("stalled", stalled);
    navigator.serviceWorker?.removeEventListener("message", fromWorker);
  };
}
