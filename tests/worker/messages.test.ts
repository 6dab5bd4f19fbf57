import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { MAX_ENVELOPE_BYTES, messageListResponse, postMessageResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { HEADER_BYTES } from "../../protocol/envelope.js";
import { ConversationId } from "../../protocol/ids.js";
import { MESSAGE_PAGE_BYTES } from "../../worker/storage/message-log.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, postEnvelope, startConversation, type TestEpoch } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { api, expectError } from "./api.js";
import { logCount, logWrite } from "./conversation-rows.js";

async function chat(): Promise<{ alice: LoggedInAccount; bob: LoggedInAccount; epoch: TestEpoch; id: ConversationId }> {
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  const epoch = await startConversation(api, alice, bob);
  return { alice, bob, epoch, id: epoch.conversationId };
}

async function list(as: LoggedInAccount, id: string, query = "") {
  const res = await api.call("GET", `/api/conversations/${id}/messages${query}`, { cookie: as.cookie });
  expect(res.status).toBe(200);
  return messageListResponse.parse(await res.json());
}

describe("POST /api/conversations/:id/messages", () => {
  test("stores a member's envelope with seq 1 and serves the same bytes back", async () => {
    const { alice, bob, epoch, id } = await chat();
    const envelope = await makeEnvelope(alice, epoch, "hi bob");
    const res = await postEnvelope(api, alice, id, envelope);
    expect(res.status).toBe(201);
    expect(postMessageResponse.parse(await res.json())).toEqual({ seq: 1, duplicate: false });

    const page = await list(bob, id);
    expect(page.more).toBe(false);
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({ seq: 1, envelope: envelope.b64 });
    expect(Math.abs(page.messages[0]!.receivedAt - Date.now())).toBeLessThan(60_000);
  });

  test("a retried send stores exactly one message and answers the first seq", async () => {
    const { alice, epoch, id } = await chat();
    const envelope = await makeEnvelope(alice, epoch);
    expect(postMessageResponse.parse(await (await postEnvelope(api, alice, id, envelope)).json())).toEqual({ seq: 1, duplicate: false });
    const retry = await postEnvelope(api, alice, id, envelope);
    expect(retry.status).toBe(200);
    expect(postMessageResponse.parse(await retry.json())).toEqual({ seq: 1, duplicate: true });
    const next = await postEnvelope(api, alice, id, await makeEnvelope(alice, epoch));
    expect(postMessageResponse.parse(await next.json())).toEqual({ seq: 2, duplicate: false });

    expect((await list(alice, id)).messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(await logCount(id, "messages", "client_message_id = ?", envelope.clientMessageId)).toBe(1);
  });

  test("concurrent retries of one send still store one message", async () => {
    const { alice, epoch, id } = await chat();
    const envelope = await makeEnvelope(alice, epoch);
    const answers = await Promise.all(Array.from({ length: 5 }, async () => postMessageResponse.parse(await (await postEnvelope(api, alice, id, envelope)).json())));
    expect(new Set(answers.map((a) => a.seq))).toEqual(new Set([1]));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(await logCount(id, "messages")).toBe(1);
  });

  test("refuses a reused client message id with different bytes", async () => {
    const { alice, epoch, id } = await chat();
    const first = await makeEnvelope(alice, epoch, "one");
    expect((await postEnvelope(api, alice, id, first)).status).toBe(201);
    const clash = await makeEnvelope(alice, epoch, "two", { header: { clientMessageId: first.clientMessageId } });
    await expectError(await postEnvelope(api, alice, id, clash), 409, "message_id_reused");
    expect((await list(alice, id)).messages.map((m) => m.envelope)).toEqual([first.b64]);
  });

  test("the same client message id from two devices is two messages", async () => {
    const { alice, bob, epoch, id } = await chat();
    const a = await makeEnvelope(alice, epoch);
    const b = await makeEnvelope(bob, epoch, "hello", { header: { clientMessageId: a.clientMessageId } });
    expect(postMessageResponse.parse(await (await postEnvelope(api, alice, id, a)).json())).toEqual({ seq: 1, duplicate: false });
    expect(postMessageResponse.parse(await (await postEnvelope(api, bob, id, b)).json())).toEqual({ seq: 2, duplicate: false });
  });

  test("seq is strictly increasing per conversation, without gaps, under concurrent sends", async () => {
    const { alice, bob, epoch, id } = await chat();
    const other = await chat();
    const sequential: number[] = [];
    for (let i = 0; i < 4; i++) {
      const sender = i % 2 ? bob : alice;
      sequential.push(postMessageResponse.parse(await (await postEnvelope(api, sender, id, await makeEnvelope(sender, epoch, `m${i}`))).json()).seq);
    }
    expect(sequential).toEqual([1, 2, 3, 4]);
    // Another conversation has its own sequence.
    expect(postMessageResponse.parse(await (await postEnvelope(api, other.alice, other.id, await makeEnvelope(other.alice, other.epoch))).json()).seq).toBe(1);

    const envelopes = await Promise.all(Array.from({ length: 12 }, (_, i) => makeEnvelope(i % 2 ? bob : alice, epoch, `c${i}`)));
    const seqs = await Promise.all(
      envelopes.map(async (e, i) => postMessageResponse.parse(await (await postEnvelope(api, i % 2 ? bob : alice, id, e)).json()).seq),
    );
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 5));
    const listed = (await list(alice, id)).messages.map((m) => m.seq);
    expect(listed).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  test("a non-member can neither post nor read", async () => {
    const { alice, epoch, id } = await chat();
    const mallory = await createAccount(api, "mallory");
    expect((await postEnvelope(api, alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    const forged = await makeEnvelope(mallory, epoch);
    await expectError(await postEnvelope(api, mallory, id, forged), 403, "not_member");
    await expectError(await api.call("GET", `/api/conversations/${id}/messages`, { cookie: mallory.cookie }), 403, "not_member");
    expect(await logCount(id, "messages")).toBe(1);
  });

  test("refuses an envelope whose signature does not verify", async () => {
    const { alice, bob, epoch, id } = await chat();
    const signedByBob = await makeEnvelope(alice, epoch, "forged", { signingKey: bob.keys.deviceSigning.privateKey });
    await expectError(await postEnvelope(api, alice, id, signedByBob), 400, "bad_signature");
    const good = await makeEnvelope(alice, epoch);
    const tampered = good.bytes.slice();
    tampered[HEADER_BYTES + 12 + 4 + 10] = tampered[HEADER_BYTES + 12 + 4 + 10]! ^ 0x01; // inside the ciphertext, after header, IV, length
    await expectError(await postEnvelope(api, alice, id, { b64: toBase64url(tampered) }), 400, "bad_signature");
  });

  test("refuses an envelope from another device than the poster's", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobs = await makeEnvelope(bob, epoch);
    await expectError(await postEnvelope(api, alice, id, bobs), 403, "forbidden");
  });

  test("refuses an envelope for another conversation", async () => {
    const { alice, epoch, id } = await chat();
    const elsewhere = await makeEnvelope(alice, { ...epoch, conversationId: ConversationId.fromBytes(testCrypto.randomBytes(16)) });
    await expectError(await postEnvelope(api, alice, id, elsewhere), 400, "invalid_envelope");
  });

  test("refuses an envelope under an epoch with no bundle, or under another key", async () => {
    const { alice, epoch, id } = await chat();
    await expectError(await postEnvelope(api, alice, id, await makeEnvelope(alice, { ...epoch, epoch: 7 })), 409, "unknown_epoch");
    await expectError(await postEnvelope(api, alice, id, await makeEnvelope(alice, { ...epoch, keyId: new Uint8Array(32) })), 409, "epoch_key_mismatch");
  });

  test("refuses bytes that are not an envelope", async () => {
    const { alice, id } = await chat();
    await expectError(await postEnvelope(api, alice, id, { b64: toBase64url(Uint8Array.of(1, 2, 3)) }), 400, "invalid_envelope");
  });
});

describe("GET /api/conversations/:id/messages", () => {
  test("pages by cursor", async () => {
    const { alice, bob, epoch, id } = await chat();
    for (let i = 0; i < 5; i++) expect((await postEnvelope(api, alice, id, await makeEnvelope(alice, epoch, `m${i}`))).status).toBe(201);
    const first = await list(bob, id, "?limit=2");
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(first.more).toBe(true);
    const second = await list(bob, id, "?after=2&limit=2");
    expect(second.messages.map((m) => m.seq)).toEqual([3, 4]);
    expect(second.more).toBe(true);
    const last = await list(bob, id, "?after=4&limit=2");
    expect(last.messages.map((m) => m.seq)).toEqual([5]);
    expect(last.more).toBe(false);
    expect(await list(bob, id, "?after=5")).toEqual({ messages: [], more: false });
    expect((await list(bob, id, "?limit=500")).messages).toHaveLength(5);
  });

  test("stops a page early once it holds about 2 MiB of envelopes", async () => {
    const { alice, bob, id } = await chat();
    // Stored directly: listing serves bytes as stored, and 31 maximum-size rows are quicker to make this way.
    const seqs = Array.from({ length: 31 }, (_, i) => i + 1);
    await logWrite(
      id,
      "INSERT INTO messages (seq, sender_account_id, sender_device_id, client_message_id, envelope, received_at) VALUES (?, ?, ?, ?, ?, 0)",
      seqs.map((seq) => [seq, alice.accountId, alice.deviceId, `cmid${seq}`, new Uint8Array(MAX_ENVELOPE_BYTES).fill(seq).buffer]),
    );
    // A row starts the page only while the bytes before it are under the budget: 29 * 70 KiB < 2 MiB <= 30 * 70 KiB.
    const fitting = Math.ceil(MESSAGE_PAGE_BYTES / MAX_ENVELOPE_BYTES);
    const first = await list(bob, id);
    expect(first.messages.map((m) => m.seq)).toEqual(seqs.slice(0, fitting));
    expect(first.more).toBe(true);
    const rest = await list(bob, id, `?after=${fitting}`);
    expect(rest.messages.map((m) => m.seq)).toEqual(seqs.slice(fitting));
    expect(rest.more).toBe(false);
  });

  test("refuses malformed or out-of-range queries", async () => {
    const { alice, id } = await chat();
    for (const query of ["?limit=0", "?limit=501", "?limit=-1", "?limit=abc", "?after=-1", "?after=1.5", "?after=1e3", "?after=0x10", "?limit=", "?cursor=3"]) {
      const message = await expectError(await api.call("GET", `/api/conversations/${id}/messages${query}`, { cookie: alice.cookie }), 400, "invalid_query");
      expect(message, query).toMatch(/^(after|limit|body): /);
    }
  });
});
