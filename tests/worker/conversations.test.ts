import { describe, expect, test } from "vitest";
import { conversationListResponse, conversationResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { createAccount, makeAccount } from "../support/account.js";
import { makeEnvelope, openConversation, postEnvelope, startConversation } from "../support/conversation.js";
import { api, expectError } from "./api.js";

describe("POST /api/conversations", () => {
  test("opens a direct conversation once per pair, from either side", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const first = await api.call("POST", "/api/conversations", { cookie: alice.cookie, json: { peer: bob.accountId } });
    expect(first.status).toBe(201);
    const { conversation } = conversationResponse.parse(await first.json());
    expect(conversation).toMatchObject({ kind: "direct", lastSeq: 0 });
    expect([...conversation.members].sort()).toEqual([alice.accountId, bob.accountId].sort());

    const again = await api.call("POST", "/api/conversations", { cookie: alice.cookie, json: { peer: bob.accountId } });
    expect(again.status).toBe(200);
    expect(conversationResponse.parse(await again.json()).conversation).toEqual(conversation);
    const reverse = await api.call("POST", "/api/conversations", { cookie: bob.cookie, json: { peer: alice.accountId } });
    expect(reverse.status).toBe(200);
    expect(conversationResponse.parse(await reverse.json()).conversation.id).toBe(conversation.id);
  });

  test("two concurrent opens of one pair get the same conversation", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const ids = await Promise.all([openConversation(api, alice, bob), openConversation(api, bob, alice), openConversation(api, alice, bob)]);
    expect(new Set(ids).size).toBe(1);
  });

  test("refuses a conversation with oneself, with an unknown account, or without a session", async () => {
    const alice = await createAccount(api, "alice");
    const stranger = await makeAccount(); // never signed up
    await expectError(await api.call("POST", "/api/conversations", { cookie: alice.cookie, json: { peer: alice.accountId } }), 400, "invalid_body");
    await expectError(await api.call("POST", "/api/conversations", { cookie: alice.cookie, json: { peer: stranger.accountId } }), 404, "not_found");
    await expectError(await api.call("POST", "/api/conversations", { json: { peer: stranger.accountId } }), 401, "unauthenticated");
  });
});

describe("GET /api/conversations", () => {
  test("lists only the caller's conversations, with their last seq", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const carol = await createAccount(api, "carol");
    const withBob = await startConversation(api, alice, bob);
    const bobCarol = await openConversation(api, bob, carol);
    expect((await postEnvelope(api, alice, withBob.conversationId, await makeEnvelope(alice, withBob))).status).toBe(201);
    expect((await postEnvelope(api, bob, withBob.conversationId, await makeEnvelope(bob, withBob))).status).toBe(201);

    const res = await api.call("GET", "/api/conversations", { cookie: alice.cookie });
    expect(res.status).toBe(200);
    const { conversations } = conversationListResponse.parse(await res.json());
    expect(conversations.map((c) => [c.id, c.lastSeq])).toEqual([[withBob.conversationId, 2]]);

    const forBob = conversationListResponse.parse(await (await api.call("GET", "/api/conversations", { cookie: bob.cookie })).json());
    expect(forBob.conversations.map((c) => c.id).sort()).toEqual([withBob.conversationId, bobCarol].sort());
  });
});

describe("GET /api/conversations/:id", () => {
  test("answers members, refuses others with 403 and unknown ids with 404", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const mallory = await createAccount(api, "mallory");
    const id = await openConversation(api, alice, bob);
    const res = await api.call("GET", `/api/conversations/${id}`, { cookie: bob.cookie });
    expect(res.status).toBe(200);
    expect(conversationResponse.parse(await res.json()).conversation.id).toBe(id);
    await expectError(await api.call("GET", `/api/conversations/${id}`, { cookie: mallory.cookie }), 403, "not_member");
    await expectError(await api.call("GET", `/api/conversations/${toBase64url(new Uint8Array(16))}`, { cookie: alice.cookie }), 404, "not_found");
    await expectError(await api.call("GET", "/api/conversations/not-an-id", { cookie: alice.cookie }), 404, "not_found");
  });
});
