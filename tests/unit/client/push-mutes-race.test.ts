// The chat list fetches the account's mute list when it appears (another device may have changed it). A
// mute set on this device while that fetch is out must not be undone by its older answer: the chat-list
// e2e once saw a muted chat come out of the archive because the list's fetch, sent before the mute, was
// answered after it.
import { describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import type { ClientContext } from "../../../web/src/client/context.js";
import { PushFacade } from "../../../web/src/client/push/facade.js";
import { getPushPrefs } from "../../../web/src/client/push/prefs.js";
import type { PushApi } from "../../../web/src/client/transport/push-api.js";
import { freshDb } from "./helpers.js";

const A = "AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const B = "BBBBBBBBBBBBBBBBBBBBBA" as ConversationId;

/** A server whose answers the test releases by kind: `mutes` answers what was muted when it was asked. */
function slowServer() {
  const muted = new Set<ConversationId>();
  const waiting: Array<{ kind: "put" | "list"; go: () => void }> = [];
  const later = <T>(kind: "put" | "list", f: () => T) => new Promise<T>((resolve) => waiting.push({ kind, go: () => resolve(f()) }));
  const api = {
    putMute: (id: ConversationId, on: boolean) =>
      later("put", () => {
        if (on) muted.add(id);
        else muted.delete(id);
      }),
    mutes: () => {
      const asked = [...muted];
      return later("list", () => ({ muted: asked }));
    },
  };
  /** Answers the oldest waiting request of this kind, and lets the client act on it. */
  const answer = async (kind: "put" | "list") => {
    const i = waiting.findIndex((w) => w.kind === kind);
    waiting.splice(i, 1)[0]!.go();
    await new Promise((r) => setTimeout(r, 20));
  };
  return { api: api as unknown as PushApi, muted, answer };
}

function facade(api: PushApi) {
  const db = freshDb();
  return { db, push: new PushFacade({ db } as unknown as ClientContext, api) };
}

const mutedHere = async (db: ReturnType<typeof freshDb>) => [...(await getPushPrefs(db)).muted].sort();

describe("the mute list fetched while this device changes it", () => {
  test("a mute made after the list was asked for survives the list's older answer; another device's mute in it is taken", async () => {
    const server = slowServer();
    server.muted.add(B); // another device muted B
    const { db, push } = facade(server.api);
    const refresh = push.refreshMutes(); // its answer will say [B]
    const mute = push.setMuted(A, true);
    await server.answer("put");
    await mute;
    expect(await mutedHere(db)).toEqual([A]);
    await server.answer("list");
    await refresh;
    expect(await mutedHere(db)).toEqual([A, B]);
  });

  test("a mute already on its way when the list was asked for also survives it", async () => {
    const server = slowServer();
    const { db, push } = facade(server.api);
    const mute = push.setMuted(A, true);
    const refresh = push.refreshMutes(); // asked before the server stored the mute: its answer says []
    await server.answer("put");
    await mute;
    await server.answer("list");
    await refresh;
    expect(await mutedHere(db)).toEqual([A]);
  });

  test("with no change made here meanwhile, the fetched list replaces the local one", async () => {
    const server = slowServer();
    const { db, push } = facade(server.api);
    const mute = push.setMuted(A, true);
    await server.answer("put");
    await mute;
    server.muted.clear(); // another device unmuted A and muted B
    server.muted.add(B);
    const refresh = push.refreshMutes();
    await server.answer("list");
    await refresh;
    expect(await mutedHere(db)).toEqual([B]);
  });
});
