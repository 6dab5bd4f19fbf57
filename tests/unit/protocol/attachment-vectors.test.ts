// Known-answer vectors of the attachment blob (tests/vectors/attachment.json, docs/PROTOCOL.md "Attachment"):
// the fixed key and plaintexts must give exactly these bytes, and every edited blob must be refused with
// its code. UPDATE_VECTORS=1 rewrites the expected values (only when the format version changes on purpose).
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ATTACHMENT_HEADER_BYTES, ATTACHMENT_KIND, AttachmentId, Label, decodeAttachmentPayload, encodeAttachmentPayload, encodeBodyFrame, deriveAttachmentKeys, encryptedSize, fromHex, hkdf, labelled, toHex, type ProtocolErrorCode } from "../../../protocol/index.js";
import { applyEdit, chunksOf, decryptWhole, encryptWhole, patternBytes, type BlobEdit } from "./attachment-helpers.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

const FILE = new URL("../../vectors/attachment.json", import.meta.url);

interface Case {
  name: string;
  plain_size: number;
  blob_size?: number;
  blob?: string;
  chunks?: { length: number; sha256: string; tag: string }[];
  digest?: string;
}
interface Negative {
  name: string;
  from: string;
  edit: BlobEdit;
  key?: string;
  digest_from?: string;
  plain_size?: number;
  code: ProtocolErrorCode;
}
interface ContentVector {
  sent_at: number;
  id: string;
  mime_type: string;
  name: string;
  caption: string;
  width: number;
  height: number;
  preview: string;
  size: number;
  payload: string;
  body: string;
}
interface Vectors {
  content: ContentVector;
  key: string;
  chunk_key: string;
  commitment: string;
  header: string;
  cases: Case[];
  negative: Negative[];
}

/** Blobs up to this size are written whole into the vectors; larger ones chunk by chunk. */
const WHOLE_BLOB_MAX = 256;

async function sha256Hex(b: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await env.subtle.digest("SHA-256", b)));
}

async function expectedOf(key: Uint8Array, c: Case): Promise<Case> {
  const { blob, digest } = await encryptWhole(env, key, patternBytes(c.plain_size));
  const out: Case = { name: c.name, plain_size: c.plain_size, blob_size: blob.length };
  if (blob.length <= WHOLE_BLOB_MAX) out.blob = toHex(blob);
  else out.chunks = await Promise.all(chunksOf(blob).chunks.map(async (ch) => ({ length: ch.length, sha256: await sha256Hex(ch), tag: toHex(ch.slice(-16)) })));
  out.digest = toHex(digest);
  return out;
}

async function regenerate(): Promise<void> {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as Vectors;
  const key = fromHex(v.key);
  v.chunk_key = toHex(await hkdf(env, key, new Uint8Array(0), labelled(Label.attachmentChunkKey), 32));
  v.commitment = toHex((await deriveAttachmentKeys(env, key)).commitment);
  v.header = toHex((await encryptWhole(env, key, new Uint8Array(0))).blob.slice(0, ATTACHMENT_HEADER_BYTES));
  v.cases = await Promise.all(v.cases.map((c) => expectedOf(key, c)));
  const c = v.content;
  const digest = fromHex(v.cases.find((x) => x.plain_size === c.size)!.digest!);
  const payload = encodeAttachmentPayload({
    kind: "attachment",
    sentAt: c.sent_at,
    id: AttachmentId.parse(c.id),
    key,
    size: c.size,
    digest,
    type: "image",
    mimeType: c.mime_type,
    name: c.name,
    caption: c.caption,
    width: c.width,
    height: c.height,
    preview: fromHex(c.preview),
  });
  c.payload = toHex(payload);
  c.body = toHex(encodeBodyFrame(ATTACHMENT_KIND, c.sent_at, payload));
  writeFileSync(FILE, JSON.stringify(v, null, 2) + "\n");
}

describe("attachment known-answer vectors", async () => {
  if (process.env.UPDATE_VECTORS === "1") await regenerate();
  const v = JSON.parse(readFileSync(FILE, "utf8")) as Vectors;
  const key = fromHex(v.key);
  const byName = new Map(v.cases.map((c) => [c.name, c]));

  it("covers the sizes the contract names, with every expected value filled in", () => {
    expect(v.cases.map((c) => c.plain_size)).toEqual([0, 1, 65536, 65537, 132072]);
    for (const c of v.cases) expect(c.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(v.negative.length).toBeGreaterThanOrEqual(15);
  });

  it("has a content vector that carries the three-chunk blob's key, size and digest", () => {
    const a = decodeAttachmentPayload(fromHex(v.content.payload), v.content.sent_at);
    expect([toHex(a.key), a.size, toHex(a.digest)]).toEqual([v.key, 132072, byName.get("three chunks")!.digest]);
  });

  it("derives the documented chunk key, commitment and header from K", async () => {
    expect(toHex(await hkdf(env, key, new Uint8Array(0), labelled(Label.attachmentChunkKey), 32))).toBe(v.chunk_key);
    expect(toHex((await deriveAttachmentKeys(env, key)).commitment)).toBe(v.commitment);
    expect(v.header).toBe("534c41540100010000" + v.commitment);
  });

  it.each(v.cases.map((c) => [c.name, c] as const))("%s: encrypts to the expected blob and decrypts back", async (_name, c) => {
    const plain = patternBytes(c.plain_size);
    const { blob, digest } = await encryptWhole(env, key, plain);
    expect(blob.length).toBe(c.blob_size);
    expect(blob.length).toBe(encryptedSize(c.plain_size));
    expect(toHex(blob.slice(0, ATTACHMENT_HEADER_BYTES))).toBe(v.header);
    if (c.blob !== undefined) expect(toHex(blob)).toBe(c.blob);
    else {
      const chunks = chunksOf(blob).chunks;
      expect(chunks.map((ch) => ch.length)).toEqual(c.chunks!.map((ch) => ch.length));
      for (const [i, ch] of chunks.entries()) {
        expect(await sha256Hex(ch)).toBe(c.chunks![i]!.sha256);
        expect(toHex(ch.slice(-16))).toBe(c.chunks![i]!.tag);
      }
    }
    expect(toHex(digest)).toBe(c.digest);
    const back = await decryptWhole(env, { key, plainSize: c.plain_size, digest: fromHex(c.digest!) }, blob);
    expect(toHex(back) === toHex(plain)).toBe(true);
  });

  it.each(v.negative.map((n) => [n.name, n] as const))("refuses: %s", async (_name, n) => {
    const from = byName.get(n.from)!;
    const { blob } = await encryptWhole(env, key, patternBytes(from.plain_size));
    const edited = applyEdit(blob, n.edit);
    const digest = fromHex(byName.get(n.digest_from ?? n.from)!.digest!);
    const params = { key: n.key ? fromHex(n.key) : key, plainSize: n.plain_size ?? from.plain_size, digest };
    // Whole, and one byte at a time: where the stream is cut must not change the outcome.
    expect(await codeOf(() => decryptWhole(env, params, edited))).toBe(n.code);
    const everyByte = edited.length <= 200 ? [...edited.keys()] : [1, 7, 40, 41, 42, 65593, 65594, 65595, 131144, 131145, 131146];
    expect(await codeOf(() => decryptWhole(env, params, edited, everyByte))).toBe(n.code);
  });
});
