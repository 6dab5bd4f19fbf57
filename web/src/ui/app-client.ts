// The page's one ChatClient, loaded on demand: the client (store, sync, protocol, Dexie, zod) is a chunk
// of its own, fetched when a screen first needs it or prefetched once the first screen is up, so a fresh
// profile's onboarding form does not wait for it (docs/decisions.md "The app shell holds the first screen").
import type { ChatClient } from "../client/index.js";

let client: Promise<ChatClient> | undefined;

/**
 * The page's client, made once. If its chunk cannot be fetched (offline before the service worker saved
 * it) the promise rejects and the next call tries again.
 */
export function appClient(): Promise<ChatClient> {
  client ??= import("../client/index.js").then(
    (m) => m.createChatClient(),
    (e: unknown) => {
      client = undefined;
      throw e;
    },
  );
  return client;
}

/** Fetches the client's chunk without making the client (which would open the store): a prefetch. */
export function prefetchClient(): void {
  import("../client/index.js").catch(() => {
    // Offline before the service worker saved it: appClient() tries again when the client is needed.
  });
}
