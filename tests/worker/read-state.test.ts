import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { putReadStateResponse, readStateListResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { ConversationId } from "../../protocol/ids.js";
import { READ_STATE_BYTES } from "../../protocol/read-state.js";
import { d1ReadStateStore } from "../../worker/db/d1-read-state-store.js";
import type { LoggedInAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { sealedReadStateOf } from "../support/read-state.js";
import { api, expectError } from "./api.js";
import { ownDevicesWorld } from "./own-devices.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

// Read state (docs/API.md "Read state"): one sealed blob per account and conversation, for the account's
// own devices; the server checks membership, size and version, counts versions and nudges the other devices.

const world = () => ownDevicesWorld("r");

function put(as: LoggedInAccount, id: string, sealed: Uint8Array | string): Promise<Response> {
  return api.call("PUT", `/api/me/read-state/${id}`, { cookie: as.cookie, json: { sealed: typeof sealed === "string" ? sealed : toBase64url(sealed) } });
}

async function putOk(as: LoggedInAccount, id: string, sealed: Uint8Array): Promise<number> {
  const res = await put(as, id, sealed);
  expect(res.status).toBe(200);
  return putReadStateResponse.parse(await res.json()).version;
}

async function list(as: LoggedInAccount, after: number) {
  const res = await api.call("GET", `/api/me/read-state?after=${after}`, { cookie: as.cookie });
  expect(res.status).toBe(200);
  return readStateListResponse.parse(await res.json());
}

describe("read state", () => {
  test("a write is stored opaque with the account's next version, replaces the older one, and is listed since a version", async () => {
    const { alice, a2, id, otherId } = await world();
    expect(await list(alice, 0)).toEqual({ states: [], more: false });
    const first = await sealedReadStateOf(alice, id, 3);
    expect(await putOk(alice, id, first)).toBe(1);
    expect(await list(a2, 0)).toEqual({ states: [{ conversationId: id, sealed: toBase64url(first), version: 1 }], more: false });
    // The newest write wins, whichever device wrote it, and takes the next version.
    const second = await sealedReadStateOf(alice, id, 5);
    expect(await putOk(a2, id, second)).toBe(2);
    const third = await sealedReadStateOf(alice, otherId, 1);
    expect(await putOk(alice, otherId, third)).toBe(3);
    expect((await list(alice, 0)).states).toEqual([
      { conversationId: id, sealed: toBase64url(second), version: 2 },
      { conversationId: otherId, sealed: toBase64url(third), version: 3 },
    ]);
    expect((await list(alice, 2)).states.map((s) => s.version)).toEqual([3]);
    expect((await list(alice, 3)).states).toEqual([]);
  });

  test("versions count per account: another account's writes neither take nor show Alice's", async () => {
    const { alice, bob, id } = await world();
    expect(await putOk(bob, id, await sealedReadStateOf(bob, id, 2))).toBe(1);
    expect(await putOk(alice, id, await sealedReadStateOf(alice, id, 2))).toBe(1);
    expect(await putOk(bob, id, await sealedReadStateOf(bob, id, 4))).toBe(2);
    const alices = (await list(alice, 0)).states;
    expect(alices).toHaveLength(1);
    expect((await list(bob, 0)).states.map((s) => s.version)).toEqual([2]);
    expect((await list(bob, 0)).states[0]?.sealed).not.toBe(alices[0]?.sealed);
  });

  test("racing writes of one account get distinct versions", async () => {
    const { alice, a2, id, otherId } = await world();
    const blobs = await Promise.all([1, 2, 3, 4].map((n) => sealedReadStateOf(alice, n % 2 ? id : otherId, n)));
    const versions = await Promise.all(blobs.map((b, i) => putOk(i % 2 ? a2 : alice, i % 2 ? otherId : id, b)));
    expect([...versions].sort()).toEqual([1, 2, 3, 4]);
  });

  test("the account's other connected devices are nudged; the writer and other accounts are not", async () => {
    const { alice, a2, bob, id } = await world();
    const [a1Socket, a2Socket, bobSocket] = await Promise.all([alice, a2, bob].map(connectRealtime));
    const version = await putOk(alice, id, await sealedReadStateOf(alice, id, 1));
    expect(await a2Socket!.inbox.next()).toEqual({ type: "read-state", version });
    // A ping's pong is the next frame the others get: nothing was pushed to them before it.
    await a1Socket!.roundTrip();
    await bobSocket!.roundTrip();
  });

  test("a page holds at most the limit, oldest first, and says there is more", async () => {
    const { alice, id, otherId } = await world();
    await putOk(alice, id, await sealedReadStateOf(alice, id, 1));
    await putOk(alice, otherId, await sealedReadStateOf(alice, otherId, 1));
    const store = d1ReadStateStore(env.DB);
    const page = await store.listSince(alice.accountId, 0, 1);
    expect(page.states.map((s) => s.conversationId)).toEqual([id]);
    expect(page.more).toBe(true);
    expect((await store.listSince(alice.accountId, 1, 1)).more).toBe(false);
  });

  test("refuses a conversation the account is not in, one that does not exist, and blobs of the wrong size or version; nothing is stored", async () => {
    const { alice, carol, id } = await world();
    const sealed = await sealedReadStateOf(carol, id, 1);
    await expectError(await put(carol, id, sealed), 403, "not_member");
    await expectError(await put(alice, ConversationId.fromBytes(testCrypto.randomBytes(16)), sealed), 404, "not_found");
    await expectError(await put(alice, id, sealed.slice(0, READ_STATE_BYTES - 1)), 400, "invalid_body");
    await expectError(await put(alice, id, new Uint8Array([...sealed, 0])), 400, "invalid_body");
    const v2 = sealed.slice();
    v2[0] = 2;
    await expectError(await put(alice, id, v2), 400, "invalid_read_state");
    await expectError(await api.call("PUT", `/api/me/read-state/${id}`, { cookie: alice.cookie, json: { sealed: toBase64url(sealed), version: 9 } }), 400, "invalid_body");
    await expectError(await api.call("GET", "/api/me/read-state?after=-1", { cookie: alice.cookie }), 400, "invalid_query");
    await expectError(await api.call("GET", "/api/me/read-state", {}), 401, "unauthenticated");
    expect((await list(alice, 0)).states).toEqual([]);
    expect((await list(carol, 0)).states).toEqual([]);
  });
});
