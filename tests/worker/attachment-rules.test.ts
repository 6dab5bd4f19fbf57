import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { postMessageResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { UNATTACHED_LIFETIME_MS } from "../../worker/attachments/expiry.js";
import { DEFAULT_ATTACHMENT_MAX_BYTES, DEFAULT_ATTACHMENT_QUOTA_BYTES, maxCiphertextBytes } from "../../worker/attachments/limits.js";
import { scheduled } from "../../worker/scheduled.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, startConversation, type TestEpoch } from "../support/conversation.js";
import { MembershipKind } from "../../protocol/membership-log.js";
import { TestGroup, postGroup, postMembership } from "../support/group.js";
import { testCrypto } from "../support/crypto-env.js";
import { api, expectError } from "./api.js";
import { age, complete, createUpload, createUploadRequest, download, patternBytes, putPart, remove, send, uploadBlob, uploadStatus } from "./attachment-client.js";
import { logCount } from "./conversation-rows.js";

const SLOW = 30_000;

async function chat(): Promise<{ alice: LoggedInAccount; bob: LoggedInAccount; mallory: LoggedInAccount; epoch: TestEpoch; id: string }> {
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  const mallory = await createAccount(api, "mallory");
  const epoch = await startConversation(api, alice, bob);
  return { alice, bob, mallory, epoch, id: epoch.conversationId };
}

/** Posts a message from `sender` carrying `attachments`. */
async function postWith(sender: LoggedInAccount, epoch: TestEpoch, attachments: readonly string[], envelope?: { b64: string }): Promise<Response> {
  const e = envelope ?? (await makeEnvelope(sender, epoch, "with attachments"));
  return api.call("POST", `/api/conversations/${epoch.conversationId}/messages`, { cookie: sender.cookie, json: { envelope: e.b64, attachments } });
}

async function row(id: string) {
  return env.DB.prepare("SELECT message_seq, deleted_at, completed_at FROM attachments WHERE id = ?1").bind(id).first<{ message_seq: number | null; deleted_at: number | null; completed_at: number | null }>();
}

describe("who may do what", () => {
  test("only members create uploads: another account gets 403 not_member, an unknown conversation 404", async () => {
    const { mallory, id } = await chat();
    await expectError(await createUploadRequest(mallory, id, 100), 403, "not_member");
    await expectError(await createUploadRequest(mallory, toBase64url(testCrypto.randomBytes(16)), 100), 404, "not_found");
  });

  test("a non-member gets 404 not_found for every attachment route, as for an id that does not exist", async () => {
    const { alice, mallory, id } = await chat();
    const blob = await uploadBlob(alice, id, patternBytes(100));
    const unknown = toBase64url(testCrypto.randomBytes(16));
    for (const target of [blob, unknown]) {
      await expectError(await download(mallory, target), 404, "not_found");
      await expectError(await putPart(mallory, target, 1, patternBytes(100)), 404, "not_found");
      await expectError(await send("GET", `/api/attachments/${target}/upload`, { cookie: mallory.cookie }), 404, "not_found");
      await expectError(await complete(mallory, target), 404, "not_found");
      await expectError(await remove(mallory, target), 404, "not_found");
    }
  }, SLOW);

  test("the other member may download but not upload parts, complete, read the upload or delete: 403 forbidden", async () => {
    const { alice, bob, id } = await chat();
    const { id: blob } = await createUpload(alice, id, 100);
    await expectError(await putPart(bob, blob, 1, patternBytes(100)), 403, "forbidden");
    await expectError(await send("GET", `/api/attachments/${blob}/upload`, { cookie: bob.cookie }), 403, "forbidden");
    await expectError(await complete(bob, blob), 403, "forbidden");
    await expectError(await remove(bob, blob), 403, "forbidden");
    // Not downloadable before it is complete.
    await expectError(await download(bob, blob), 409, "incomplete");
    expect((await putPart(alice, blob, 1, patternBytes(100))).status).toBe(200);
    expect((await complete(alice, blob)).status).toBe(200);
    expect((await download(bob, blob)).status).toBe(200);
    expect((await row(blob))?.deleted_at).toBeNull();
  }, SLOW);

  test("a member removed from a group can no longer download its attachments (404), its uploader still manages them", async () => {
    const alice = await createAccount(api, "alice");
    const carol = await createAccount(api, "carol");
    const g = new TestGroup();
    const create = await g.createEntry(alice, [carol]);
    expect((await postGroup(api, alice, create)).status).toBe(201);
    await g.accept(create);
    const own = await uploadBlob(carol, g.id, patternBytes(64, 1));
    const alices = await uploadBlob(alice, g.id, patternBytes(64, 2));
    expect((await download(carol, alices)).status).toBe(200);
    const removal = await g.entry(alice, { kind: MembershipKind.remove, accountId: carol.accountId });
    expect((await postMembership(api, alice, g.id, removal)).status).toBe(201);
    await expectError(await download(carol, alices), 404, "not_found");
    await expectError(await download(carol, own), 404, "not_found");
    await expectError(await createUploadRequest(carol, g.id, 10), 403, "not_member");
    // Her own blob is still hers to delete ("delete for everyone" after leaving).
    expect((await send("GET", `/api/attachments/${own}/upload`, { cookie: carol.cookie })).status).toBe(200);
    expect((await remove(carol, own)).status).toBe(204);
    await expectError(await download(alice, own), 404, "deleted");
  }, SLOW);

  test("without a session every route is 401; a state-changing one from another Origin 403 bad_origin", async () => {
    const { alice, id } = await chat();
    const blob = await uploadBlob(alice, id, patternBytes(10));
    await expectError(await send("GET", `/api/attachments/${blob}`), 401, "unauthenticated");
    await expectError(await send("PUT", `/api/attachments/${blob}/parts/1`, { body: patternBytes(10), headers: { "Content-Length": "10" } }), 401, "unauthenticated");
    await expectError(await send("DELETE", `/api/attachments/${blob}`, { cookie: alice.cookie, headers: { Origin: "https://evil.example" } }), 403, "bad_origin");
    await expectError(await send("PUT", `/api/attachments/${blob}/parts/1`, { cookie: alice.cookie, body: patternBytes(10), headers: { "Content-Length": "10", Origin: "https://evil.example" } }), 403, "bad_origin");
  }, SLOW);
});

describe("limits", () => {
  test("a blob larger than 100 MiB of file encrypted is 413 too_large; exactly that much is accepted", async () => {
    const { alice, id } = await chat();
    const max = maxCiphertextBytes(DEFAULT_ATTACHMENT_MAX_BYTES);
    expect(DEFAULT_ATTACHMENT_MAX_BYTES).toBe(100 * 1024 * 1024);
    await expectError(await createUploadRequest(alice, id, max + 1), 413, "too_large");
    const { id: blob, parts } = await createUpload(alice, id, max);
    expect(parts).toBe(13);
    expect((await remove(alice, blob)).status).toBe(204);
  }, SLOW);

  test("ATTACHMENT_MAX_BYTES lowers the limit; a value that is not a whole number is a server fault, not a silent default", async () => {
    const { alice, id } = await chat();
    const vars = { ATTACHMENT_MAX_BYTES: "1000" };
    await expectError(await createUploadRequest(alice, id, maxCiphertextBytes(1000) + 1, vars), 413, "too_large");
    expect((await createUploadRequest(alice, id, maxCiphertextBytes(1000), vars)).status).toBe(201);
    expect((await createUploadRequest(alice, id, 10, { ATTACHMENT_MAX_BYTES: "1e6" })).status).toBe(500);
  }, SLOW);

  test("an upload that would take the account over its quota is 413 quota_exceeded; deleting makes room again", async () => {
    const { alice, bob, id } = await chat();
    const vars = { ATTACHMENT_QUOTA_BYTES: "10000" };
    const first = await createUpload(alice, id, 6000, vars);
    await createUpload(alice, id, 4000, vars);
    await expectError(await createUploadRequest(alice, id, 1, vars), 413, "quota_exceeded");
    // The quota is per account: bob's uploads do not count against alice's.
    expect((await createUploadRequest(bob, id, 10000, vars)).status).toBe(201);
    expect((await remove(alice, first.id)).status).toBe(204);
    expect((await createUploadRequest(alice, id, 6000, vars)).status).toBe(201);
    await expectError(await createUploadRequest(alice, id, 1, vars), 413, "quota_exceeded");
  }, SLOW);

  test("the default quota is 2 GiB: twenty 100 MiB uploads fit, the next one does not", async () => {
    const { alice, id } = await chat();
    expect(DEFAULT_ATTACHMENT_QUOTA_BYTES).toBe(2 * 1024 ** 3);
    const size = maxCiphertextBytes(DEFAULT_ATTACHMENT_MAX_BYTES);
    const fit = Math.floor(DEFAULT_ATTACHMENT_QUOTA_BYTES / size);
    for (let i = 0; i < fit; i++) expect((await createUploadRequest(alice, id, size)).status).toBe(201);
    await expectError(await createUploadRequest(alice, id, size), 413, "quota_exceeded");
  }, SLOW);
});

describe("attaching to a message", () => {
  test("a complete blob of the sender's is attached to the new message's seq; a retry of the message is a duplicate", async () => {
    const { alice, bob, epoch } = await chat();
    const a = await uploadBlob(alice, epoch.conversationId, patternBytes(10));
    const b = await uploadBlob(alice, epoch.conversationId, patternBytes(20));
    const envelope = await makeEnvelope(alice, epoch, "two files");
    const res = await postWith(alice, epoch, [a, b], envelope);
    expect(res.status).toBe(201);
    const { seq } = postMessageResponse.parse(await res.json());
    expect((await row(a))?.message_seq).toBe(seq);
    expect((await row(b))?.message_seq).toBe(seq);
    const retry = await postWith(alice, epoch, [a, b], envelope);
    expect(retry.status).toBe(200);
    expect(postMessageResponse.parse(await retry.json())).toEqual({ seq, duplicate: true });
    // Attached blobs never expire.
    await age(a, 2 * UNATTACHED_LIFETIME_MS);
    await createUpload(alice, epoch.conversationId, 10);
    expect((await download(bob, a)).status).toBe(200);
  }, SLOW);

  test("a blob attached before, incomplete, another account's, another conversation's or unknown is refused by name, and nothing is stored", async () => {
    const { alice, bob, epoch } = await chat();
    const carol = await createAccount(api, "carol");
    const other = await startConversation(api, alice, carol);
    const used = await uploadBlob(alice, epoch.conversationId, patternBytes(10));
    expect((await postWith(alice, epoch, [used])).status).toBe(201);
    const fresh = await uploadBlob(alice, epoch.conversationId, patternBytes(10));
    const incomplete = (await createUpload(alice, epoch.conversationId, 10)).id;
    const bobs = await uploadBlob(bob, epoch.conversationId, patternBytes(10));
    const elsewhere = await uploadBlob(alice, other.conversationId, patternBytes(10));
    const deleted = await uploadBlob(alice, epoch.conversationId, patternBytes(10));
    expect((await remove(alice, deleted)).status).toBe(204);
    const unknown = toBase64url(testCrypto.randomBytes(16));
    const cases: [string, number, string][] = [
      [used, 409, "already_attached"],
      [incomplete, 409, "incomplete"],
      [bobs, 400, "invalid_attachment"],
      [elsewhere, 400, "invalid_attachment"],
      [deleted, 400, "invalid_attachment"],
      [unknown, 400, "invalid_attachment"],
    ];
    const before = await logCount(epoch.conversationId, "messages");
    for (const [bad, status, code] of cases) {
      // The good blob comes first: all or nothing, so it stays unattached.
      const message = await expectError(await postWith(alice, epoch, [fresh, bad]), status, code);
      expect(message).toContain(bad);
    }
    expect(before).toBeGreaterThan(0);
    expect(await logCount(epoch.conversationId, "messages")).toBe(before);
    expect((await row(fresh))?.message_seq).toBeNull();
    expect((await postWith(alice, epoch, [fresh])).status).toBe(201);
  }, SLOW);

  test("two messages racing for one blob: exactly one gets it, the other is refused and not stored", async () => {
    const { alice, epoch } = await chat();
    const blob = await uploadBlob(alice, epoch.conversationId, patternBytes(10));
    const [x, y] = [await makeEnvelope(alice, epoch, "x"), await makeEnvelope(alice, epoch, "y")];
    const results = await Promise.all([postWith(alice, epoch, [blob], x), postWith(alice, epoch, [blob], y)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await logCount(epoch.conversationId, "messages")).toBe(1);
  }, SLOW);

  test("the attachments list is bounded and checked: at most 10, no repeats, well-formed ids", async () => {
    const { alice, epoch } = await chat();
    const id = () => toBase64url(testCrypto.randomBytes(16));
    for (const list of [Array.from({ length: 11 }, id), [id(), id()].flatMap((x) => [x, x]), ["not-an-id"], [toBase64url(testCrypto.randomBytes(15))]]) {
      const message = await expectError(await postWith(alice, epoch, list), 400, "invalid_body");
      expect(message).toContain("attachments");
    }
  }, SLOW);
});

describe("deleting and expiring", () => {
  test("the uploader deletes a blob for everyone: the R2 object is gone and later requests are 404 deleted", async () => {
    const { alice, bob, epoch } = await chat();
    const blob = await uploadBlob(alice, epoch.conversationId, patternBytes(300));
    expect((await postWith(alice, epoch, [blob])).status).toBe(201);
    expect(await env.FILES.head(blob)).not.toBeNull();
    expect((await remove(alice, blob)).status).toBe(204);
    expect(await env.FILES.head(blob)).toBeNull();
    await expectError(await download(bob, blob), 404, "deleted");
    await expectError(await download(alice, blob), 404, "deleted");
    await expectError(await complete(alice, blob), 404, "deleted");
    // Deleting again is a no-op.
    expect((await remove(alice, blob)).status).toBe(204);
    expect((await row(blob))?.deleted_at).not.toBeNull();
  }, SLOW);

  test("deleting an unfinished upload aborts it: its parts cannot be sent any more", async () => {
    const { alice, id } = await chat();
    const { id: blob } = await createUpload(alice, id, 100);
    expect((await putPart(alice, blob, 1, patternBytes(100))).status).toBe(200);
    expect((await remove(alice, blob)).status).toBe(204);
    await expectError(await putPart(alice, blob, 1, patternBytes(100)), 404, "deleted");
    await expectError(await complete(alice, blob), 404, "deleted");
    expect(await env.FILES.head(blob)).toBeNull();
  }, SLOW);

  test("uploads never attached expire after 24 h, swept when the account creates its next upload", async () => {
    const { alice, bob, id } = await chat();
    const finished = await uploadBlob(alice, id, patternBytes(100));
    const unfinished = (await createUpload(alice, id, 100)).id;
    const young = await uploadBlob(alice, id, patternBytes(100));
    const bobs = await uploadBlob(bob, id, patternBytes(100));
    for (const blob of [finished, unfinished, bobs]) await age(blob, UNATTACHED_LIFETIME_MS + 1);
    await createUpload(alice, id, 10);
    for (const blob of [finished, unfinished]) {
      expect(await row(blob)).toBeNull();
      await expectError(await download(bob, blob), 404, "not_found");
    }
    expect(await env.FILES.head(finished)).toBeNull();
    // Another account's are left for its own next upload (or the cron); a young one stays.
    expect(await row(bobs)).not.toBeNull();
    expect((await download(bob, young)).status).toBe(200);
  }, SLOW);

  test("the scheduled sweep deletes every account's expired unattached uploads and keeps attached ones", async () => {
    const { alice, bob, epoch, id } = await chat();
    const attached = await uploadBlob(alice, id, patternBytes(100));
    expect((await postWith(alice, epoch, [attached])).status).toBe(201);
    const finished = await uploadBlob(bob, id, patternBytes(100));
    const unfinished = (await createUpload(alice, id, 100)).id;
    for (const blob of [attached, finished, unfinished]) await age(blob, UNATTACHED_LIFETIME_MS + 1);
    const ctx = createExecutionContext();
    await scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await row(finished)).toBeNull();
    expect(await row(unfinished)).toBeNull();
    expect(await env.FILES.head(finished)).toBeNull();
    expect((await row(attached))?.message_seq).toBe(1);
    expect((await download(bob, attached)).status).toBe(200);
    await expectError(await send("GET", `/api/attachments/${unfinished}/upload`, { cookie: alice.cookie }), 404, "not_found");
  }, SLOW);

  test("an expired blob cannot be attached any more", async () => {
    const { alice, epoch } = await chat();
    const blob = await uploadBlob(alice, epoch.conversationId, patternBytes(10));
    await age(blob, UNATTACHED_LIFETIME_MS + 1);
    await createUpload(alice, epoch.conversationId, 10);
    await expectError(await postWith(alice, epoch, [blob]), 400, "invalid_attachment");
    expect(await uploadStatus(alice, (await createUpload(alice, epoch.conversationId, 10)).id)).toMatchObject({ received: [] });
  }, SLOW);
});
