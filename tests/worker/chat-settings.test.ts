import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { chatSettingsListResponse, putChatSettingsResponse, staleChatSettingsBody } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { MAX_CHAT_SETTINGS_BYTES, MIN_CHAT_SETTINGS_BYTES } from "../../protocol/chat-settings.js";
import { ConversationId } from "../../protocol/ids.js";
import { d1ChatSettingsStore } from "../../worker/db/d1-chat-settings-store.js";
import type { LoggedInAccount } from "../support/account.js";
import { sealedChatSettingsOf } from "../support/chat-settings.js";
import { testCrypto } from "../support/crypto-env.js";
import { api, expectError } from "./api.js";
import { ownDevicesWorld } from "./own-devices.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

// Chat settings (docs/API.md "Chat settings"): one sealed blob per account and conversation, for the
// account's own devices; the server checks membership, size, version and that the clear revision is above
// the stored one, counts versions and nudges the other devices.

const world = () => ownDevicesWorld("cs");

function put(as: LoggedInAccount, id: string, sealed: Uint8Array | string): Promise<Response> {
  return api.call("PUT", `/api/me/chat-settings/${id}`, { cookie: as.cookie, json: { sealed: typeof sealed === "string" ? sealed : toBase64url(sealed) } });
}

async function putOk(as: LoggedInAccount, id: string, sealed: Uint8Array): Promise<number> {
  const res = await put(as, id, sealed);
  expect(res.status).toBe(200);
  return putChatSettingsResponse.parse(await res.json()).version;
}

async function list(as: LoggedInAccount, after: number) {
  const res = await api.call("GET", `/api/me/chat-settings?after=${after}`, { cookie: as.cookie });
  expect(res.status).toBe(200);
  return chatSettingsListResponse.parse(await res.json());
}

describe("chat settings", () => {
  test("a write is stored opaque with the account's next version, a higher revision replaces it, and it is listed since a version", async () => {
    const { alice, a2, id, otherId } = await world();
    expect(await list(alice, 0)).toEqual({ settings: [], more: false });
    const first = await sealedChatSettingsOf(alice, id, 1);
    expect(await putOk(alice, id, first)).toBe(1);
    expect(await list(a2, 0)).toEqual({ settings: [{ conversationId: id, sealed: toBase64url(first), version: 1 }], more: false });
    const second = await sealedChatSettingsOf(alice, id, 5, { hidden: [{ after: 1, upTo: 9 }] });
    expect(await putOk(a2, id, second)).toBe(2);
    const third = await sealedChatSettingsOf(alice, otherId, 1);
    expect(await putOk(alice, otherId, third)).toBe(3);
    expect((await list(alice, 0)).settings).toEqual([
      { conversationId: id, sealed: toBase64url(second), version: 2 },
      { conversationId: otherId, sealed: toBase64url(third), version: 3 },
    ]);
    expect((await list(alice, 2)).settings.map((s) => s.version)).toEqual([3]);
    expect((await list(alice, 3)).settings).toEqual([]);
  });

  test("a revision not above the stored one is 409 stale_chat_settings with the stored revision, and changes nothing", async () => {
    const { alice, a2, id } = await world();
    const newer = await sealedChatSettingsOf(alice, id, 7);
    expect(await putOk(alice, id, newer)).toBe(1);
    for (const revision of [7, 6, 1]) {
      const res = await put(a2, id, await sealedChatSettingsOf(alice, id, revision, { markedUnread: true }));
      expect(res.status).toBe(409);
      const body = staleChatSettingsBody.parse(await res.json());
      expect([body.error.code, body.revision]).toEqual(["stale_chat_settings", 7]);
    }
    expect((await list(alice, 0)).settings).toEqual([{ conversationId: id, sealed: toBase64url(newer), version: 1 }]);
    // One above is stored.
    expect(await putOk(a2, id, await sealedChatSettingsOf(alice, id, 8))).toBe(2);
  });

  test("versions and revisions count per account: Bob's writes of the same chat neither take nor show Alice's", async () => {
    const { alice, bob, id } = await world();
    expect(await putOk(bob, id, await sealedChatSettingsOf(bob, id, 9))).toBe(1);
    expect(await putOk(alice, id, await sealedChatSettingsOf(alice, id, 1))).toBe(1);
    expect((await list(alice, 0)).settings).toHaveLength(1);
    expect((await list(bob, 0)).settings.map((s) => s.version)).toEqual([1]);
    expect((await list(bob, 0)).settings[0]?.sealed).not.toBe((await list(alice, 0)).settings[0]?.sealed);
  });

  test("racing writes of one account get distinct versions; of two racing writes of one revision, one is stored", async () => {
    const { alice, a2, id, otherId } = await world();
    // Two rounds of two racing writes, each to its own chat (two racing writes to one chat with different
    // revisions may land in either order, and then the older one is rightly refused as stale).
    const versions: number[] = [];
    for (const revision of [1, 2]) {
      const round = [
        { as: alice, chat: id },
        { as: a2, chat: otherId },
      ];
      const blobs = await Promise.all(round.map((w) => sealedChatSettingsOf(alice, w.chat, revision)));
      versions.push(...(await Promise.all(round.map((w, i) => putOk(w.as, w.chat, blobs[i]!)))));
    }
    expect([...versions].sort()).toEqual([1, 2, 3, 4]);
    const same = await Promise.all([alice, a2].map(async (as) => (await put(as, id, await sealedChatSettingsOf(alice, id, 10))).status));
    expect([...same].sort()).toEqual([200, 409]);
  });

  test("the account's other connected devices are nudged; the writer and other accounts are not, nor anyone on a refused write", async () => {
    const { alice, a2, bob, id } = await world();
    const [a1Socket, a2Socket, bobSocket] = await Promise.all([alice, a2, bob].map(connectRealtime));
    const version = await putOk(alice, id, await sealedChatSettingsOf(alice, id, 2));
    expect(await a2Socket!.inbox.next()).toEqual({ type: "chat-settings", version });
    expect((await put(alice, id, await sealedChatSettingsOf(alice, id, 2))).status).toBe(409);
    await a2Socket!.roundTrip();
    await a1Socket!.roundTrip();
    await bobSocket!.roundTrip();
  });

  test("a page holds at most the limit, oldest first, and says there is more", async () => {
    const { alice, id, otherId } = await world();
    await putOk(alice, id, await sealedChatSettingsOf(alice, id, 1));
    await putOk(alice, otherId, await sealedChatSettingsOf(alice, otherId, 1));
    const store = d1ChatSettingsStore(env.DB);
    const page = await store.listSince(alice.accountId, 0, 1);
    expect(page.settings.map((s) => s.conversationId)).toEqual([id]);
    expect(page.more).toBe(true);
    expect((await store.listSince(alice.accountId, 1, 1)).more).toBe(false);
  });

  test("refuses a conversation the account is not in, one that does not exist, and malformed or oversized blobs; nothing is stored", async () => {
    const { alice, carol, id } = await world();
    const sealed = await sealedChatSettingsOf(carol, id, 1);
    await expectError(await put(carol, id, sealed), 403, "not_member");
    await expectError(await put(alice, ConversationId.fromBytes(testCrypto.randomBytes(16)), sealed), 404, "not_found");
    await expectError(await put(alice, id, sealed.slice(0, MIN_CHAT_SETTINGS_BYTES - 1)), 400, "invalid_body");
    await expectError(await put(alice, id, new Uint8Array(MAX_CHAT_SETTINGS_BYTES + 1)), 400, "invalid_body");
    // In bounds but not a bucket size.
    await expectError(await put(alice, id, new Uint8Array([...sealed, 0])), 400, "invalid_chat_settings");
    const v2 = sealed.slice();
    v2[0] = 2;
    await expectError(await put(alice, id, v2), 400, "invalid_chat_settings");
    const zeroRevision = sealed.slice();
    zeroRevision.fill(0, 5, 13);
    await expectError(await put(alice, id, zeroRevision), 400, "invalid_chat_settings");
    await expectError(await api.call("PUT", `/api/me/chat-settings/${id}`, { cookie: alice.cookie, json: { sealed: toBase64url(sealed), revision: 9 } }), 400, "invalid_body");
    await expectError(await api.call("GET", "/api/me/chat-settings?after=-1", { cookie: alice.cookie }), 400, "invalid_query");
    await expectError(await api.call("GET", "/api/me/chat-settings", {}), 401, "unauthenticated");
    expect((await list(alice, 0)).settings).toEqual([]);
    expect((await list(carol, 0)).settings).toEqual([]);
  });
});
