import { afterEach, describe, expect, test, vi } from "vitest";
import type { MessageRef } from "../../../protocol/index.js";
import { listMessages } from "../../../web/src/client/store/db.js";
import { getUpload, patchUpload } from "../../../web/src/client/store/uploads.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";
import { uploadViews } from "../../../web/src/client/views/upload-view.js";
import { FakeServer, chatBetween, clientOn } from "./helpers.js";

// Sending attachments (issue 18, the send side) between two real clients over the fake server's upload
// routes: the file is encrypted and uploaded in parts, only missing parts are sent again after a dropped
// connection or a closed tab, waiting while offline, failing with a sentence on a refusal, sealed once
// even with two tabs, and taken down from the server on cancel or delete for everyone.

afterEach(() => vi.restoreAllMocks());

/** 64 KiB parts, so a file of a few hundred KB goes up in several. */
const PART = 65_536;
type Client = ReturnType<typeof clientOn>;

async function pair() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const server = new FakeServer();
  server.uploads.partSize = PART;
  return { server, ...(await chatBetween(server)) };
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(n));
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

const refOf = (r: MessageRow): MessageRef => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });

async function attachmentRows(c: Client, id: Parameters<typeof listMessages>[1]): Promise<MessageRow[]> {
  return (await listMessages(c.db, id)).filter((m) => m.attachment !== undefined);
}

/** How often the server was asked for `METHOD path` (paths matched by a pattern). */
function count(server: FakeServer, method: string, path: RegExp): number {
  return server.requests.filter((r) => r.startsWith(`${method} `) && path.test(r.slice(method.length + 1))).length;
}

async function bytesOf(b: Blob): Promise<Uint8Array> {
  return new Uint8Array(await b.arrayBuffer());
}

describe("sending a file", () => {
  test("Alice's file reaches Bob as a message whose file opens to exactly her bytes, and the upload item goes", async () => {
    const s = await pair();
    const plain = randomBytes(200_000);
    const uploadId = await s.alice.attachments.send(s.id, { file: new Blob([plain], { type: "application/pdf" }), name: "report.pdf", caption: "Q3" });
    expect((await uploadViews(s.alice.db, s.id)).map((u) => [u.id, u.name, u.type, u.caption])).toEqual([[uploadId, "report.pdf", "file", "Q3"]]);
    await s.alice.sync.settled();
    await s.both();

    expect(await uploadViews(s.alice.db, s.id)).toEqual([]);
    const [sent] = await attachmentRows(s.alice, s.id);
    expect(sent).toMatchObject({ status: "sent", attachment: { type: "file", name: "report.pdf", mimeType: "application/pdf", size: 200_000, caption: "Q3" } });
    // The message names its blob to the server, which attached it to the message's seq.
    expect(s.server.uploads.byId.get(sent!.attachment!.id)?.attachedTo).toBe(sent!.seq);
    expect(count(s.server, "PUT", /\/parts\/\d+$/)).toBe(4);

    const [received] = await attachmentRows(s.bob, s.id);
    expect(received?.attachment?.caption).toBe("Q3");
    expect(await bytesOf(await s.bob.attachments.open(s.id, refOf(received!)))).toEqual(plain);
  });

  test("a part whose connection dropped is sent again, and only the parts the server lacks", async () => {
    const s = await pair();
    s.server.uploads.dropParts.add(2);
    const uploadId = await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(250_000)]), name: "big.bin" });
    await s.alice.sync.settled();
    const [waiting] = await uploadViews(s.alice.db, s.id);
    expect(waiting).toMatchObject({ id: uploadId, state: "waiting", sentBytes: PART });

    await s.alice.sync.syncNow(); // the server answers again: the upload resumes
    await s.alice.sync.settled();
    expect(await uploadViews(s.alice.db, s.id)).toEqual([]);
    expect(count(s.server, "PUT", /\/parts\/1$/)).toBe(1);
    expect(count(s.server, "PUT", /\/parts\/2$/)).toBe(2);
    expect(count(s.server, "PUT", /\/parts\/[34]$/)).toBe(2);
    await s.both();
    expect(await attachmentRows(s.bob, s.id)).toHaveLength(1);
  });

  test("after the tab closed mid-upload, a new tab on the same store resumes without resending received parts", async () => {
    const s = await pair();
    s.server.uploads.dropParts.add(3);
    const plain = randomBytes(250_000);
    const uploadId = await s.alice.attachments.send(s.id, { file: new Blob([plain]), name: "movie.bin" });
    await s.alice.sync.settled();
    s.alice.stop();
    // The tab died while a part was on its way: the row still says uploading.
    await patchUpload(s.alice.db, uploadId, { state: "uploading" });

    const tab = clientOn(s.server, s.alice.db);
    await tab.start();
    await tab.sync.syncNow();
    await tab.sync.settled();
    expect(await getUpload(tab.db, uploadId)).toBeUndefined();
    expect(count(s.server, "PUT", /\/parts\/[12]$/)).toBe(2);
    expect(count(s.server, "PUT", /\/parts\/3$/)).toBe(2);
    expect(count(s.server, "POST", /\/attachments$/)).toBe(1);

    await s.both();
    const [received] = await attachmentRows(s.bob, s.id);
    expect(await bytesOf(await s.bob.attachments.open(s.id, refOf(received!)))).toEqual(plain);
  });

  test("offline it waits for the network, then is sent once", async () => {
    const s = await pair();
    s.server.offline = true;
    await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(1000)]), name: "note.txt", mimeType: "text/plain" });
    await s.alice.sync.syncNow();
    await s.alice.sync.settled();
    expect((await uploadViews(s.alice.db, s.id)).map((u) => u.state)).toEqual(["waiting"]);

    s.server.offline = false;
    await s.alice.sync.syncNow();
    await s.alice.sync.settled();
    await s.alice.sync.syncNow();
    await s.alice.sync.settled();
    expect(await uploadViews(s.alice.db, s.id)).toEqual([]);
    const conv = s.server.conversations.get(s.id)!;
    expect(conv.messages).toHaveLength(1);
    await s.both();
    expect((await attachmentRows(s.bob, s.id)).map((m) => m.attachment?.name)).toEqual(["note.txt"]);
  });

  test("cancel forgets the upload here and deletes the server's copy", async () => {
    const s = await pair();
    s.server.uploads.dropParts.add(2);
    const uploadId = await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(200_000)]), name: "oops.bin" });
    await s.alice.sync.settled();
    const blobId = (await getUpload(s.alice.db, uploadId))!.attachmentId!;

    await s.alice.attachments.cancel(uploadId);
    expect(await uploadViews(s.alice.db, s.id)).toEqual([]);
    expect(s.server.uploads.byId.get(blobId)?.deleted).toBe(true);
    await s.alice.sync.syncNow();
    await s.alice.sync.settled();
    expect(s.server.conversations.get(s.id)!.messages).toHaveLength(0);
  });

  test("a quota refusal fails the upload with a sentence to show; retry sends it once there is room", async () => {
    const s = await pair();
    s.server.uploads.quotaBytes = 100;
    const uploadId = await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(5000)]), name: "photo.raw" });
    await s.alice.sync.settled();
    const [failed] = await uploadViews(s.alice.db, s.id);
    expect(failed).toMatchObject({ state: "failed", error: { code: "quota_exceeded" } });
    expect(failed?.error?.message).toMatch(/space for files is full/);
    // A failed upload stays put: later passes do not retry it on their own.
    await s.alice.sync.syncNow();
    await s.alice.sync.settled();
    expect((await uploadViews(s.alice.db, s.id)).map((u) => u.state)).toEqual(["failed"]);

    s.server.uploads.quotaBytes = 2 * 1024 ** 3;
    await s.alice.attachments.retry(uploadId);
    await s.alice.sync.settled();
    expect(await uploadViews(s.alice.db, s.id)).toEqual([]);
    await s.both();
    expect(await attachmentRows(s.bob, s.id)).toHaveLength(1);
  });

  test("two tabs running the same upload seal exactly one message", async () => {
    const s = await pair();
    const tab = clientOn(s.server, s.alice.db);
    await tab.start();
    s.server.offline = true;
    await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(150_000)]), name: "twice.bin" });
    await s.alice.sync.settled();
    s.server.offline = false;
    s.alice.sync.runUploads();
    tab.sync.runUploads();
    await Promise.all([s.alice.sync.settled(), tab.sync.settled()]);
    await s.alice.sync.syncNow();
    expect(await attachmentRows(s.alice, s.id)).toHaveLength(1);
    expect(s.server.conversations.get(s.id)!.messages).toHaveLength(1);
    expect(count(s.server, "POST", /\/attachments$/)).toBe(1);
  });

  test("deleting one's attachment message for everyone deletes its blob on the server", async () => {
    const s = await pair();
    await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(3000)]), name: "secret.pdf" });
    await s.alice.sync.settled();
    await s.both();
    const [sent] = await attachmentRows(s.alice, s.id);
    const blobId = sent!.attachment!.id;
    const [received] = await attachmentRows(s.bob, s.id);

    await s.alice.deleteForEveryone(s.id, refOf(sent!));
    await s.alice.sync.settled();
    expect(s.server.uploads.byId.get(blobId)?.deleted).toBe(true);
    await s.both();
    const err = await s.bob.attachments.open(s.id, refOf(received!)).then(
      () => "opened",
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(err).toBe("message_deleted");
  });

  test("an upload whose server copy expired is created again under a new id", async () => {
    const s = await pair();
    s.server.uploads.dropParts.add(2);
    const uploadId = await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(200_000)]), name: "slow.bin" });
    await s.alice.sync.settled();
    const first = (await getUpload(s.alice.db, uploadId))!.attachmentId!;
    s.server.uploads.byId.delete(first); // expired: the server forgot it

    await s.alice.sync.syncNow();
    await s.alice.sync.settled();
    await s.both();
    const [received] = await attachmentRows(s.bob, s.id);
    expect(received?.attachment?.id).not.toBe(first);
    expect(count(s.server, "POST", /\/attachments$/)).toBe(2);
  });

  test("an empty file and one over 100 MiB are refused before anything is stored", async () => {
    const s = await pair();
    const code = (p: Promise<unknown>) => p.then(() => "stored", (e: unknown) => (e as { code?: string }).code);
    expect(await code(s.alice.attachments.send(s.id, { file: new Blob([]), name: "empty.txt" }))).toBe("attachment_empty");
    const huge = { size: 100 * 1024 * 1024 + 1, type: "" } as Blob;
    expect(await code(s.alice.attachments.send(s.id, { file: huge, name: "huge.bin" }))).toBe("attachment_too_large");
    expect(await uploadViews(s.alice.db, s.id)).toEqual([]);
  });

  test("a photo's metadata is stripped before it is encrypted (without a canvas in Node it goes as a file)", async () => {
    const s = await pair();
    const gps = new TextEncoder().encode("GPSLatitude=48.8584N");
    const app1 = Uint8Array.of(0xff, 0xe1, 0, gps.length + 8, ...new TextEncoder().encode("Exif\0\0"), ...gps);
    const jpeg = Uint8Array.of(0xff, 0xd8, ...app1, 0xff, 0xda, 0, 3, 0, 0x12, 0x34, 0xff, 0xd9);
    await s.alice.attachments.send(s.id, { file: new Blob([jpeg], { type: "image/jpeg" }), name: "IMG_0001.JPG" });
    await s.alice.sync.settled();
    await s.both();
    const [received] = await attachmentRows(s.bob, s.id);
    expect(received?.attachment).toMatchObject({ type: "file", mimeType: "image/jpeg", name: "IMG_0001.JPG", size: jpeg.length - app1.length });
    expect(await bytesOf(await s.bob.attachments.open(s.id, refOf(received!)))).toEqual(Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0, 3, 0, 0x12, 0x34, 0xff, 0xd9));
  });

  test("a voice note goes as one, with its duration and waveform", async () => {
    const s = await pair();
    await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(4000)], { type: "audio/webm;codecs=opus" }), name: "voice.webm", voice: { durationMs: 2500, waveform: Uint8Array.of(1, 9, 4) } });
    const [pending] = await uploadViews(s.alice.db, s.id);
    expect(pending).toMatchObject({ type: "voice", durationMs: 2500, mimeType: "audio/webm" });
    await s.alice.sync.settled();
    await s.both();
    const [received] = await attachmentRows(s.bob, s.id);
    expect(received?.attachment).toMatchObject({ type: "voice", durationMs: 2500, waveform: Uint8Array.of(1, 9, 4), mimeType: "audio/webm" });
  });

  test("cancel while a part is in flight stops the upload before its next part, and nothing is sealed", async () => {
    const s = await pair();
    let reached!: () => void;
    const atPart2 = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    s.server.uploads.partGate = (n) => (n === 2 ? (reached(), held) : Promise.resolve());
    const uploadId = await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(250_000)]), name: "abort.bin" });
    await atPart2;
    const blobId = (await getUpload(s.alice.db, uploadId))!.attachmentId!;
    await s.alice.attachments.cancel(uploadId);
    release();
    await s.alice.sync.settled();
    expect(await uploadViews(s.alice.db, s.id)).toEqual([]);
    expect(s.server.uploads.byId.get(blobId)?.deleted).toBe(true);
    expect(count(s.server, "PUT", /\/parts\/3$/)).toBe(0);
    expect(s.server.conversations.get(s.id)!.messages).toHaveLength(0);
  });

  test("progress reaches the row at most about four times a second, however many parts go up", async () => {
    const s = await pair();
    s.server.uploads.partSize = 4096; // 62 parts
    let writes = 0;
    s.alice.db.uploads.hook("creating", () => void writes++);
    s.alice.db.uploads.hook("updating", () => void writes++);
    s.alice.db.uploads.hook("deleting", () => void writes++);
    const seen: number[] = [];
    // Each part takes a while on this "network", so the upload spans several intervals.
    s.server.uploads.partGate = async () => {
      await new Promise((r) => setTimeout(r, 10));
      const [u] = await uploadViews(s.alice.db, s.id);
      if (u) seen.push(u.sentBytes);
    };
    const started = Date.now();
    await s.alice.attachments.send(s.id, { file: new Blob([randomBytes(250_000)]), name: "many.bin" });
    await s.alice.sync.settled();
    const elapsed = Date.now() - started;
    expect(count(s.server, "PUT", /\/parts\/\d+$/)).toBe(62);
    // Adding the row, state changes, the server's id and the sealing delete: 5; the rest is progress.
    expect(writes).toBeLessThanOrEqual(5 + Math.ceil(elapsed / 250) + 1);
    // Progress only moves forward, and it moved.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBeGreaterThan(0);
  });
});
