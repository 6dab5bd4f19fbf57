// The service worker: Workbox precaches the app shell (the list is injected at build time) and serves
// it for every navigation, so the app opens with no network and with the server down. /api/* is never
// answered from the cache. Updates wait for the user (the page shows "Update available").
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { OUTBOX_SYNC_TAG, isSkipWaiting, type FlushOutboxMessage } from "../pwa/sw-messages.js";
import { storeShare } from "../pwa/share-inbox.js";
import { handlePush, onNotificationClick } from "./push.js";

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

/** Background Sync (WICG): not in TypeScript's lib. */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

/**
 * The share target (manifest.webmanifest `share_target`): another app shared files or text to Sealed. They
 * are kept for the page (pwa/share-inbox.ts), which opens at /?share=<id> to ask which chat they go to.
 * Registered before Workbox's routes so this listener answers the POST first.
 */
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "POST" || url.origin !== self.location.origin || url.pathname !== "/share") return;
  event.respondWith(
    (async () => {
      try {
        const id = await storeShare(await event.request.formData());
        return Response.redirect(`/?share=${id}`, 303);
      } catch (e) {
        console.warn("could not keep the shared files:", e);
        return Response.redirect("/?share=failed", 303);
      }
    })(),
  );
});

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Deep links (#/c/...) all load "/", but a typed or bookmarked path still gets the shell. API paths
// must reach the worker: a cached HTML page in place of a JSON error would hide outages.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: [/^\/api(\/|$)/] }));

// Take over pages opened before this worker's first install; updates still wait for SKIP_WAITING.
clientsClaim();

self.addEventListener("message", (event) => {
  if (isSkipWaiting(event.data)) void self.skipWaiting();
});

/**
 * The network is back and the page had unsent messages. The page owns the outbox (keys, locks, login),
 * so the worker asks every open window to flush; with none open, the outbox waits in IndexedDB and goes
 * out on the next start.
 */
self.addEventListener("sync", (event) => {
  const e = event as SyncEvent;
  if (e.tag !== OUTBOX_SYNC_TAG) return;
  e.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) w.postMessage({ type: "flush-outbox" } satisfies FlushOutboxMessage);
    }),
  );
});

// Web Push (issue 19): push.ts stores the message through the app's receive path and shows what passed.
self.addEventListener("push", (event) => {
  event.waitUntil(handlePush(event.data));
});

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(onNotificationClick(event.notification));
});
