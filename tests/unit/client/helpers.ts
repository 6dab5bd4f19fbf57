// Shared setup for client tests: a fresh fake-indexeddb database and a client wired to a FakeServer.
import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { Api, type FetchFn } from "../../../web/src/client/transport/api.js";
import { LinkApi } from "../../../web/src/client/transport/link-api.js";
import { RecoveryApi } from "../../../web/src/client/transport/recovery-api.js";
import { ChatClient } from "../../../web/src/client/client.js";
import { SealedDb } from "../../../web/src/client/store/db.js";
import { RealtimeConnection } from "../../../web/src/client/transport/realtime.js";
import { FakeServer } from "./fake-server.js";
import type { MessageRef } from "../../../protocol/index.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";

let n = 0;

export function freshDb(name = `sealed-test-${process.pid}-${++n}`): SealedDb {
  return new SealedDb(name, { indexedDB, IDBKeyRange });
}

/** The three transports of one simulated browser, all over the fake server (one cookie jar). */
export function transportsOver(fetch: FetchFn): { api: Api; linkApi: LinkApi; recoveryApi: RecoveryApi } {
  return { api: new Api("", fetch), linkApi: new LinkApi("", fetch), recoveryApi: new RecoveryApi("", fetch) };
}

export function clientOn(server: FakeServer, db = freshDb()): ChatClient {
  return new ChatClient({ db, ...transportsOver(server.fetchFor()), origin: server.origin, autoSync: false, realtime: null });
}

/**
 * A client with a realtime socket to the fake server, its sync loop running with short timings
 * (`pollMs`: the fallback poll; the safety net while the socket is up is an hour, so only pushes count).
 */
export function liveClientOn(server: FakeServer, o: { db?: SealedDb; pollMs?: number; burstGapMs?: number } = {}): ChatClient {
  const browser = server.browser();
  const realtime = new RealtimeConnection({ url: "ws://127.0.0.1:8787/api/realtime", createSocket: browser.createSocket, backoff: { initialMs: 20, maxMs: 100 } });
  return new ChatClient({
    db: o.db ?? freshDb(),
    ...transportsOver(browser.fetch),
    origin: server.origin,
    realtime,
    syncTiming: { pollMs: o.pollMs ?? 3_600_000, safetyNetMs: 3_600_000, retry: { initialMs: 20, maxMs: 100 }, ...(o.burstGapMs !== undefined ? { burstGapMs: o.burstGapMs } : {}) },
  });
}

export { FakeServer };

/**
 * Alice and Bob signed up on `server`, with a 1:1 chat Alice started and both synced; `both` syncs them in
 * turn until each has what the other posted.
 */
export async function chatBetween(server: FakeServer) {
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  await alice.sync.syncNow();
  await bob.sync.syncNow();
  const both = async () => {
    for (const c of [alice, bob, alice, bob]) await c.sync.syncNow();
  };
  return { alice, bob, id, both };
}

/** `n` random bytes (getRandomValues fills at most 64 KiB a call). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(n));
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

/** The reference a reply, reaction or open names a stored message by. */
export const refOf = (r: MessageRow): MessageRef => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });

export async function bytesOf(b: Blob): Promise<Uint8Array> {
  return new Uint8Array(await b.arrayBuffer());
}
