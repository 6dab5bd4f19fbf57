import { afterEach, describe, expect, test, vi } from "vitest";
import { AttachmentId, FULL_CHUNK_CIPHERTEXT_BYTES, ATTACHMENT_HEADER_BYTES, generateAttachmentKey, cryptoEnvFrom } from "../../../protocol/index.js";
import { EncryptStream } from "../../../web/src/client/attachments/streams.js";
import { queueContent } from "../../../web/src/client/conversations/messages.js";
import { getMessage } from "../../../web/src/client/store/db.js";
import { DELETED_TEXT, conversationView, messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, bytesOf, chatBetween, clientOn, randomBytes, refOf } from "./helpers.js";

// Attachment messages between two real clients over the fake server (issue 18, the read side): a received
// attachment is a bubble with its fields, its file opens to the exact bytes, a blob changed on the server
// is refused whole, delete for everyone scrubs its key and preview, and the chat list names it.

afterEach(() => vi.restoreAllMocks());

const env = cryptoEnvFrom(globalThis.crypto);
type Client = ReturnType<typeof clientOn>;
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46);
let nextId = 1;

async function pair() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const server = new FakeServer();
  const chat = await chatBetween(server);
  return { server, ...chat };
}


/** Encrypts `plain` through the stream as a sender would, and returns the blob with what the message carries. */
async function seal(plain: Uint8Array<ArrayBuffer>) {
  const key = generateAttachmentKey(env);
  const enc = new EncryptStream(key, env);
  const blob = new Uint8Array(await new Response(new Blob([plain]).stream().pipeThrough(enc)).arrayBuffer());
  const { plainSize, digest } = await enc.sealed;
  return { key, blob, plainSize, digest };
}

type Kind = { type: "file" } | { type: "image"; width: number; height: number; preview: Uint8Array } | { type: "voice"; durationMs: number; waveform: Uint8Array };

/** Alice uploads (the test puts the blob on the server) and sends an attachment message; both sync. */
async function sendFile(s: Awaited<ReturnType<typeof pair>>, plain: Uint8Array<ArrayBuffer>, kind: Kind = { type: "file" }, o: { name?: string; mimeType?: string; caption?: string } = {}) {
  const sealed = await seal(plain);
  const id = AttachmentId.fromBytes(new Uint8Array(16).fill(nextId++));
  s.server.attachments.set(id, { conversationId: s.id, bytes: sealed.blob });
  const mimeType = o.mimeType ?? (kind.type === "image" ? "image/jpeg" : kind.type === "voice" ? "audio/webm" : "application/pdf");
  const row = await queueContent(s.alice.ctx, s.id, { kind: "attachment", id, key: sealed.key, size: sealed.plainSize, digest: sealed.digest, mimeType, name: o.name ?? "report.pdf", caption: o.caption ?? "", ...kind });
  await s.both();
  return { row, ref: refOf(row), blobId: id, ...sealed };
}


async function refusal(p: Promise<unknown>) {
  return p.then(
    () => "opened",
    (e: unknown) => (e instanceof Error && "code" in e ? String(e.code) : String(e)),
  );
}

describe("a received attachment", () => {
  test("shows as a bubble with its fields, and the chat list line names it", async () => {
    const s = await pair();
    const sent = await sendFile(s, randomBytes(1000), { type: "image", width: 640, height: 480, preview: JPEG }, { name: "beach.jpg", caption: "Look!" });
    const [view] = await messageViews(s.bob.db, s.id);
    expect(view).toMatchObject({ content: "attachment", text: "Look!", mine: false, attachment: { type: "image", name: "beach.jpg", mimeType: "image/jpeg", size: 1000, caption: "Look!", width: 640, height: 480, preview: JPEG } });
    // The key stays in the store, out of what the UI renders.
    expect(JSON.stringify(Object.keys(view!.attachment!))).not.toContain("key");
    const row = await getMessage(s.bob.db, s.id, sent.row.clientMessageId);
    expect(row?.attachment).toMatchObject({ id: sent.blobId, key: sent.key, digest: sent.digest, size: 1000, type: "image" });
    expect((await conversationView(s.bob.db, s.id))?.last?.text).toBe("Photo: Look!");
    expect((await conversationView(s.alice.db, s.id))?.last?.text).toBe("Photo: Look!");
  });

  test("the chat list says '📎 name' for a file and 'Voice message' for a voice note", async () => {
    const s = await pair();
    await sendFile(s, randomBytes(10), { type: "file" }, { name: "minutes.pdf" });
    expect((await conversationView(s.bob.db, s.id))?.last?.text).toBe("📎 minutes.pdf");
    await sendFile(s, randomBytes(10), { type: "voice", durationMs: 4200, waveform: new Uint8Array(4) }, { name: "voice.webm" });
    expect((await conversationView(s.bob.db, s.id))?.last?.text).toBe("Voice message");
    const views = await messageViews(s.bob.db, s.id);
    expect(views.map((v) => v.attachment?.type)).toEqual(["file", "voice"]);
    expect(views[1]?.attachment).toMatchObject({ durationMs: 4200 });
  });

  test("can be replied to and reacted to, but an edit of it is refused", async () => {
    const s = await pair();
    const sent = await sendFile(s, randomBytes(10), { type: "file" }, { name: "a.pdf", caption: "the draft" });
    await s.bob.reply(s.id, sent.ref, "thanks");
    await s.bob.react(s.id, sent.ref, "👍");
    await s.both();
    const views = await messageViews(s.alice.db, s.id);
    expect(views.map((v) => v.content)).toEqual(["attachment", "text"]);
    expect(views[0]?.reactions.map((r) => r.emoji)).toEqual(["👍"]);
    expect(views[1]?.replyTo).toMatchObject({ state: "shown", text: "📎 a.pdf: the draft" });
    await expect(s.alice.edit(s.id, sent.ref, "new caption")).rejects.toMatchObject({ code: "not_editable" });
  });
});

describe("opening the file", () => {
  test("gives the exact bytes, with progress up to the blob's size", async () => {
    const s = await pair();
    const plain = randomBytes(3 * 65_536 + 17);
    const sent = await sendFile(s, plain);
    s.server.attachments.get(sent.blobId)!.chunkBytes = 10_000;
    const seen: number[] = [];
    const file = await s.bob.attachments.open(s.id, sent.ref, { onProgress: (p) => seen.push(p.done / p.total) });
    expect(await bytesOf(file)).toEqual(plain);
    expect(file.type).toBe("application/octet-stream");
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // The sender's other view of it opens too, and an empty file is a file.
    expect(await bytesOf(await s.alice.attachments.open(s.id, sent.ref))).toEqual(plain);
    const empty = await sendFile(s, new Uint8Array(0));
    expect((await s.bob.attachments.open(s.id, empty.ref)).size).toBe(0);
  }, 30_000);

  test("keeps an image's type, so it can be shown", async () => {
    const s = await pair();
    const sent = await sendFile(s, randomBytes(100), { type: "image", width: 1, height: 1, preview: new Uint8Array(0) });
    expect((await s.bob.attachments.open(s.id, sent.ref)).type).toBe("image/jpeg");
  });

  const tamperings: Array<[string, (blob: Uint8Array) => Uint8Array]> = [
    ["a flipped bit in a chunk", (b) => b.map((x, i) => (i === ATTACHMENT_HEADER_BYTES + 70_000 ? x ^ 1 : x))],
    ["a flipped bit in the last chunk's tag", (b) => b.map((x, i) => (i === b.length - 1 ? x ^ 0x80 : x))],
    ["the final chunk dropped", (b) => b.slice(0, ATTACHMENT_HEADER_BYTES + 2 * FULL_CHUNK_CIPHERTEXT_BYTES)],
    ["cut in the middle of a chunk", (b) => b.slice(0, b.length - 100)],
    [
      "two chunks swapped",
      (b) => {
        const h = ATTACHMENT_HEADER_BYTES;
        const c = FULL_CHUNK_CIPHERTEXT_BYTES;
        return new Uint8Array([...b.slice(0, h), ...b.slice(h + c, h + 2 * c), ...b.slice(h, h + c), ...b.slice(h + 2 * c)]);
      },
    ],
    ["bytes appended", (b) => new Uint8Array([...b, 1, 2, 3])],
  ];

  for (const [what, change] of tamperings) {
    for (const withoutLength of [false, true]) {
      test(`is refused whole when the server serves ${what}${withoutLength ? " (no Content-Length)" : ""}`, async () => {
        const s = await pair();
        const sent = await sendFile(s, randomBytes(2 * 65_536 + 500));
        s.server.attachments.set(sent.blobId, { conversationId: s.id, bytes: change(sent.blob), withoutLength });
        expect(await refusal(s.bob.attachments.open(s.id, sent.ref))).toBe("attachment_corrupt");
      });
    }
  }

  test("another file's blob under this id is refused (its key commitment differs)", async () => {
    const s = await pair();
    const a = await sendFile(s, randomBytes(100));
    const b = await sendFile(s, randomBytes(100));
    s.server.attachments.set(a.blobId, { conversationId: s.id, bytes: b.blob });
    expect(await refusal(s.bob.attachments.open(s.id, a.ref))).toBe("attachment_corrupt");
  });

  test("a blob the server no longer has is 'unavailable'; a cancelled download rejects as cancelled", async () => {
    const s = await pair();
    const sent = await sendFile(s, randomBytes(5 * 65_536));
    const controller = new AbortController();
    const cancelled = s.bob.attachments.open(s.id, sent.ref, { signal: controller.signal, onProgress: (p) => p.done > 65_536 && controller.abort() });
    expect(await refusal(cancelled)).toBe("attachment_cancelled");
    s.server.attachments.delete(sent.blobId);
    expect(await refusal(s.bob.attachments.open(s.id, sent.ref))).toBe("attachment_unavailable");
  });
});

describe("an attachment stored as unknown by the version before kind 7 was applied", () => {
  test("is opened again on the next sync and shows as the attachment, which then opens", async () => {
    const s = await pair();
    const plain = randomBytes(70_000);
    const sent = await sendFile(s, plain, { type: "file" }, { name: "old.pdf" });
    // What that version kept: the kind number only; store version 7 marks it to be reopened.
    await s.bob.db.messages.where("[conversationId+clientMessageId]").equals([s.id, sent.row.clientMessageId]).modify((m: Record<string, unknown>) => {
      delete m["attachment"];
      m["reopen"] = 1;
    });
    expect((await messageViews(s.bob.db, s.id))[0]?.content).toBe("unsupported");
    await s.bob.sync.syncNow();
    expect((await messageViews(s.bob.db, s.id))[0]).toMatchObject({ content: "attachment", attachment: { name: "old.pdf", size: 70_000 } });
    expect(await bytesOf(await s.bob.attachments.open(s.id, sent.ref))).toEqual(plain);
  });
});

describe("delete for everyone", () => {
  test("scrubs the key, preview and every field from the receiver's and the sender's rows", async () => {
    const s = await pair();
    const sent = await sendFile(s, randomBytes(10), { type: "image", width: 2, height: 2, preview: JPEG }, { name: "secret.jpg", caption: "private" });
    await s.alice.deleteForEveryone(s.id, sent.ref);
    await s.both();
    for (const c of [s.alice, s.bob] as Client[]) {
      const raw = await c.db.messages.get([s.id, sent.row.clientMessageId]);
      expect(raw?.deletedAt).toBeTypeOf("number");
      expect(raw && "attachment" in raw).toBe(false);
      expect(JSON.stringify(raw)).not.toContain("secret.jpg");
      const [view] = await messageViews(c.db, s.id);
      expect(view).toMatchObject({ content: "deleted", text: DELETED_TEXT });
      expect(view?.attachment).toBeUndefined();
      expect(await refusal(c.attachments.open(s.id, sent.ref))).toBe("message_deleted");
    }
    expect((await conversationView(s.bob.db, s.id))?.last?.text).toBe(DELETED_TEXT);
  });
});

