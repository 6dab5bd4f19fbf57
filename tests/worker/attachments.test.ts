import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { ATTACHMENT_PART_BYTES, completeAttachmentResponse, putAttachmentPartResponse } from "../../protocol/api.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { startConversation } from "../support/conversation.js";
import { api, expectError } from "./api.js";
import { complete, createUpload, download, patternBytes, putPart, send, sha256Hex, uploadBlob, uploadStatus } from "./attachment-client.js";

const MiB = 1024 * 1024;
const SLOW = 60_000;

async function chat(): Promise<{ alice: LoggedInAccount; bob: LoggedInAccount; id: string }> {
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  const epoch = await startConversation(api, alice, bob);
  return { alice, bob, id: epoch.conversationId };
}

describe("uploading in parts", () => {
  test("a 12 MiB blob goes up in two parts (8 MiB and the rest) and comes down byte-identical to the other member", async () => {
    const { alice, bob, id } = await chat();
    const bytes = patternBytes(12 * MiB, 7);
    const created = await createUpload(alice, id, bytes.length);
    expect(created).toMatchObject({ partSize: ATTACHMENT_PART_BYTES, parts: 2 });
    expect(ATTACHMENT_PART_BYTES).toBe(8 * MiB);
    for (const n of [1, 2]) {
      const res = await putPart(alice, created.id, n, bytes.subarray((n - 1) * ATTACHMENT_PART_BYTES, n * ATTACHMENT_PART_BYTES));
      expect(res.status).toBe(200);
      expect(putAttachmentPartResponse.parse(await res.json())).toEqual({ n });
    }
    const done = await complete(alice, created.id);
    expect(done.status).toBe(200);
    expect(completeAttachmentResponse.parse(await done.json())).toEqual({ id: created.id, size: bytes.length });

    const res = await download(bob, created.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await sha256Hex(await res.arrayBuffer())).toBe(await sha256Hex(bytes));
    // The R2 object holds exactly these bytes under the attachment's id, nothing else.
    const object = await env.FILES.get(created.id);
    expect(object?.size).toBe(bytes.length);
    expect(await sha256Hex(await object!.arrayBuffer())).toBe(await sha256Hex(bytes));
  }, SLOW);

  test("a dropped upload resumes: the status lists the parts received, the rest go up, and the blob completes", async () => {
    const { alice, bob, id } = await chat();
    const bytes = patternBytes(2 * ATTACHMENT_PART_BYTES + 1000, 11);
    const { id: blob, parts } = await createUpload(alice, id, bytes.length);
    expect(parts).toBe(3);
    const part = (n: number) => bytes.subarray((n - 1) * ATTACHMENT_PART_BYTES, n * ATTACHMENT_PART_BYTES);
    expect(await uploadStatus(alice, blob)).toEqual({ size: bytes.length, partSize: ATTACHMENT_PART_BYTES, parts: 3, received: [], complete: false });
    expect((await putPart(alice, blob, 3, part(3))).status).toBe(200);
    expect((await putPart(alice, blob, 1, part(1))).status).toBe(200);
    // The tab closed here. Completing now names what is missing.
    const early = await expectError(await complete(alice, blob), 409, "incomplete");
    expect(early).toContain("2");
    expect(await uploadStatus(alice, blob)).toMatchObject({ received: [1, 3], complete: false });
    // A reopened tab asks where it stands, sends part 2 (and part 1 again: a resend replaces it).
    expect((await putPart(alice, blob, 2, part(2))).status).toBe(200);
    expect((await putPart(alice, blob, 1, part(1))).status).toBe(200);
    expect((await complete(alice, blob)).status).toBe(200);
    expect(await uploadStatus(alice, blob)).toEqual({ size: bytes.length, partSize: ATTACHMENT_PART_BYTES, parts: 3, received: [1, 2, 3], complete: true });
    // Completing again is a no-op; a part after completion is refused.
    expect((await complete(alice, blob)).status).toBe(200);
    await expectError(await putPart(alice, blob, 1, part(1)), 409, "upload_complete");
    const res = await download(bob, blob);
    expect(await sha256Hex(await res.arrayBuffer())).toBe(await sha256Hex(bytes));
  }, SLOW);

  test("a resent part replaces the first one: the blob holds the bytes sent last", async () => {
    const { alice, bob, id } = await chat();
    const first = patternBytes(5000, 1);
    const second = patternBytes(5000, 2);
    const { id: blob } = await createUpload(alice, id, 5000);
    expect((await putPart(alice, blob, 1, first)).status).toBe(200);
    expect((await putPart(alice, blob, 1, second)).status).toBe(200);
    expect((await complete(alice, blob)).status).toBe(200);
    expect(new Uint8Array(await (await download(bob, blob)).arrayBuffer())).toEqual(second);
  }, SLOW);

  test("a part must come with a Content-Length equal to its length, and be as long as it says", async () => {
    const { alice, id } = await chat();
    const { id: blob } = await createUpload(alice, id, ATTACHMENT_PART_BYTES + 10);
    await expectError(await putPart(alice, blob, 2, patternBytes(11)), 400, "invalid_length");
    await expectError(await putPart(alice, blob, 2, patternBytes(9)), 400, "invalid_length");
    await expectError(await putPart(alice, blob, 1, patternBytes(10)), 400, "invalid_length");
    await expectError(await putPart(alice, blob, 3, patternBytes(10)), 404, "not_found");
    await expectError(await putPart(alice, blob, 0, patternBytes(10)), 404, "not_found");
    await expectError(await putPart(alice, blob, "01", patternBytes(10)), 404, "not_found");
    // A streamed body with no length: 411.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(patternBytes(10));
        controller.close();
      },
    });
    await expectError(await send("PUT", `/api/attachments/${blob}/parts/2`, { cookie: alice.cookie, body: stream }), 411, "length_required");
    // A Content-Length that promises the part's length over a shorter body stores nothing.
    await expectError(await putPart(alice, blob, 2, patternBytes(4), { "Content-Length": "10" }), 400, "invalid_length");
    expect(await uploadStatus(alice, blob)).toMatchObject({ received: [] });
    expect((await putPart(alice, blob, 2, patternBytes(10))).status).toBe(200);
    expect(await uploadStatus(alice, blob)).toMatchObject({ received: [2] });
  }, SLOW);
});

describe("downloading by range", () => {
  test("Range requests get 206 with the slice and its Content-Range, so a broken download resumes", async () => {
    const { alice, bob, id } = await chat();
    const bytes = patternBytes(ATTACHMENT_PART_BYTES + 4096, 3);
    const blob = await uploadBlob(alice, id, bytes);
    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 100],
      [`bytes=${ATTACHMENT_PART_BYTES - 10}-${ATTACHMENT_PART_BYTES + 9}`, ATTACHMENT_PART_BYTES - 10, 20],
      [`bytes=${bytes.length - 50}-`, bytes.length - 50, 50],
      ["bytes=-30", bytes.length - 30, 30],
      [`bytes=100-${bytes.length + 1000}`, 100, bytes.length - 100],
    ];
    for (const [range, offset, length] of cases) {
      const res = await download(bob, blob, range);
      expect(res.status, range).toBe(206);
      expect(res.headers.get("content-range"), range).toBe(`bytes ${offset}-${offset + length - 1}/${bytes.length}`);
      expect(res.headers.get("content-length"), range).toBe(String(length));
      // Compared by digest: toEqual on megabytes takes minutes.
      expect(await sha256Hex(await res.arrayBuffer()), range).toBe(await sha256Hex(bytes.subarray(offset, offset + length)));
    }
  }, SLOW);

  test("a range past the end is 416 with the size; a malformed or multiple range gets the whole blob", async () => {
    const { alice, bob, id } = await chat();
    const bytes = patternBytes(1000, 5);
    const blob = await uploadBlob(alice, id, bytes);
    for (const range of ["bytes=1000-", "bytes=5000-6000", "bytes=-0"]) {
      const res = await download(bob, blob, range);
      expect(res.headers.get("content-range"), range).toBe("bytes */1000");
      await expectError(res, 416, "range_not_satisfiable");
    }
    for (const range of ["bytes=0-1,5-6", "items=0-1", "bytes=9-3", "bytes=abc", "bytes=-"]) {
      const res = await download(bob, blob, range);
      expect(res.status, range).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer()), range).toEqual(bytes);
    }
  }, SLOW);
});
