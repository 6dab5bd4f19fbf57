import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { epochListResponse, postEpochResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { ConversationId } from "../../protocol/ids.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { makeEpochBundle, openConversation } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { api, expectError } from "./api.js";
import { logCount } from "./conversation-rows.js";

function postBundle(as: LoggedInAccount, conversationId: string, bytes: Uint8Array): Promise<Response> {
  return api.call("POST", `/api/conversations/${conversationId}/epochs`, { cookie: as.cookie, json: { bundle: toBase64url(bytes) } });
}

async function pair() {
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  return { alice, bob, id: await openConversation(api, alice, bob) };
}

describe("POST /api/conversations/:id/epochs", () => {
  test("stores a member's signed bundle once per epoch and serves them back in epoch order", async () => {
    const { alice, bob, id } = await pair();
    const e0 = await makeEpochBundle(bob, id, [alice, bob], 0);
    const e1 = await makeEpochBundle(alice, id, [alice, bob], 1);
    expect((await postBundle(bob, id, e0.bytes)).status).toBe(201);
    const r1 = await postBundle(alice, id, e1.bytes);
    expect(r1.status).toBe(201);
    expect(postEpochResponse.parse(await r1.json())).toEqual({ epoch: 1 });

    const list = await api.call("GET", `/api/conversations/${id}/epochs`, { cookie: alice.cookie });
    expect(list.status).toBe(200);
    expect(epochListResponse.parse(await list.json())).toEqual({
      epochs: [
        { epoch: 0, bundle: toBase64url(e0.bytes) },
        { epoch: 1, bundle: toBase64url(e1.bytes) },
      ],
    });
  });

  test("refuses a second bundle for an epoch that has one", async () => {
    const { alice, bob, id } = await pair();
    expect((await postBundle(alice, id, (await makeEpochBundle(alice, id, [alice, bob])).bytes)).status).toBe(201);
    await expectError(await postBundle(bob, id, (await makeEpochBundle(bob, id, [alice, bob])).bytes), 409, "epoch_exists");
    expect(await logCount(id, "epochs")).toBe(1);
  });

  test("a non-member can neither post nor read bundles", async () => {
    const { alice, bob, id } = await pair();
    const mallory = await createAccount(api, "mallory");
    expect((await postBundle(alice, id, (await makeEpochBundle(alice, id, [alice, bob])).bytes)).status).toBe(201);
    const own = await makeEpochBundle(mallory, id, [mallory, bob], 1);
    await expectError(await postBundle(mallory, id, own.bytes), 403, "not_member");
    await expectError(await api.call("GET", `/api/conversations/${id}/epochs`, { cookie: mallory.cookie }), 403, "not_member");
  });

  test("refuses a bundle made for another conversation", async () => {
    const { alice, bob, id } = await pair();
    const other = ConversationId.fromBytes(testCrypto.randomBytes(16));
    await expectError(await postBundle(alice, id, (await makeEpochBundle(alice, other, [alice, bob])).bytes), 400, "invalid_bundle");
  });

  test("refuses a bundle created by another device than the poster's", async () => {
    const { alice, bob, id } = await pair();
    const byBob = await makeEpochBundle(bob, id, [alice, bob]);
    await expectError(await postBundle(alice, id, byBob.bytes), 403, "forbidden");
  });

  test("refuses a bundle whose signature does not verify", async () => {
    const { alice, bob, id } = await pair();
    const { bytes } = await makeEpochBundle(alice, id, [alice, bob]);
    const tampered = bytes.slice();
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x80;
    await expectError(await postBundle(alice, id, tampered), 400, "bad_signature");
  });

  test("refuses a bundle that wraps the key for a non-member", async () => {
    const { alice, bob, id } = await pair();
    const mallory = await createAccount(api, "mallory");
    const leaky = await makeEpochBundle(alice, id, [alice, mallory]);
    const message = await expectError(await postBundle(alice, id, leaky.bytes), 400, "invalid_bundle");
    expect(message).toContain(mallory.accountId);
    void bob;
  });

  test("refuses bytes that are not a bundle", async () => {
    const { alice, id } = await pair();
    await expectError(await postBundle(alice, id, Uint8Array.of(1, 2, 3)), 400, "invalid_bundle");
    await expectError(await postBundle(alice, id, Uint8Array.of(9, ...new Uint8Array(300))), 400, "invalid_bundle");
  });

  test("answers 404 for an unknown conversation", async () => {
    const { alice, bob } = await pair();
    const unknown = ConversationId.fromBytes(testCrypto.randomBytes(16));
    await expectError(await postBundle(alice, unknown, (await makeEpochBundle(alice, unknown, [alice, bob])).bytes), 404, "not_found");
  });
});
