// The MessageLog interface over the layout the worker runs (worker/db/d1-stores.ts storesOf: one
// ConversationLog object per conversation): the conversation listing's lastSeq comes from here, not from
// the conversation query.
import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { toBase64url } from "../../protocol/bytes.js";
import { ConversationId } from "../../protocol/ids.js";
import { storesOf } from "../../worker/db/d1-stores.js";
import { createAccount } from "../support/account.js";
import { makeEnvelope, postEnvelope, startConversation } from "../support/conversation.js";
import { api } from "./api.js";

describe("MessageLog.latestSeqs", () => {
  test("answers every id asked, past D1's 100 bound parameters: the newest seq, or 0 for none", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const chat = await startConversation(api, alice, bob);
    for (let i = 0; i < 3; i++) expect((await postEnvelope(api, alice, chat.conversationId, await makeEnvelope(alice, chat))).status).toBe(201);
    const unknown = Array.from({ length: 150 }, (_, i) => ConversationId.fromBytes(new Uint8Array(16).fill(i + 1)));
    const ids = [...unknown.slice(0, 75), chat.conversationId, ...unknown.slice(75)];

    const latest = await storesOf(env).messages.latestSeqs(ids);
    expect(latest.size).toBe(151);
    expect(latest.get(chat.conversationId)).toBe(3);
    expect(unknown.every((id) => latest.get(id) === 0)).toBe(true);
    expect(await storesOf(env).messages.latestSeqs([])).toEqual(new Map());
    // 151 conversation objects are woken, each asking D1 once whether it exists: seconds on a loaded machine.
  }, 30_000);

  test("a page is the log from a cursor, in seq order", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const chat = await startConversation(api, alice, bob);
    const sent = [];
    for (let i = 0; i < 3; i++) {
      const envelope = await makeEnvelope(alice, chat);
      expect((await postEnvelope(api, alice, chat.conversationId, envelope)).status).toBe(201);
      sent.push(envelope);
    }
    const page = await storesOf(env).messages.page(chat.conversationId, 1, 10);
    expect(page.more).toBe(false);
    expect(page.messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(page.messages.map((m) => toBase64url(m.envelope))).toEqual(sent.slice(1).map((e) => e.b64));
  });
});
