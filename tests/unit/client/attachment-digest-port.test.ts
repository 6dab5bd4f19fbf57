// The attachment digest computed across a message port (web/src/client/attachments/digest-port.ts), as the
// app runs it in its digest worker: here both ends run in Node over a real MessageChannel (structured clone,
// transfer). It must give the serial digest (protocol's AttachmentDigest) bit for bit, the known-answer
// vectors included; blobs that were tampered with, truncated or reordered must still be refused; add() must
// hold back once MAX_UNHASHED chunks wait; a bad message must fail the stream, not hang it.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  AttachmentDigest,
  ATTACHMENT_HEADER_BYTES,
  cryptoEnvFrom,
  encryptedSize,
  fromHex,
  generateAttachmentKey,
  toHex,
  type DigestSinks,
  type ProtocolErrorCode,
} from "../../../protocol/index.js";
import { MAX_UNHASHED, fromMessagePort, portDigest, serveDigest, type DigestPort } from "../../../web/src/client/attachments/digest-port.js";
import { applyEdit, decryptWhole, encryptWhole, patternBytes, type BlobEdit } from "../protocol/attachment-helpers.js";
import { codeOf } from "../protocol/expect-code.js";

const env = cryptoEnvFrom(globalThis.crypto);
const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** A fresh channel with serveDigest on its far end, as the worker runs it. */
function channel(): { near: DigestPort; far: DigestPort } {
  const c = new MessageChannel();
  channels.push(c);
  const far = fromMessagePort(c.port2);
  serveDigest(env, far);
  return { near: fromMessagePort(c.port1), far };
}

const overPorts: DigestSinks = async (header) => portDigest(channel().near, header);

async function serialDigest(header: Uint8Array, chunks: Uint8Array[]): Promise<Uint8Array> {
  const d = await AttachmentDigest.start(env, header);
  await d.add(chunks);
  return d.value;
}

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

describe("the attachment digest across a port", () => {
  it("equals the serial digest for any batching, and hands every chunk back, in order, unchanged", async () => {
    const header = random(ATTACHMENT_HEADER_BYTES);
    const big = random(40 * 1000);
    // 40 chunks of varied sizes, some views into one buffer (copied to be moved: only the view's bytes go).
    const make = () => Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? big.subarray(i * 1000, i * 1000 + 700 + i) : random(i * 37)));
    for (const batches of [[40], [1, 39], [17, 1, 22], Array.from({ length: 40 }, () => 1)]) {
      const chunks = make();
      const expected = toHex(await serialDigest(header, chunks));
      const copies = chunks.map((c) => toHex(c));
      const sink = portDigest(channel().near, header);
      const back: Uint8Array[] = [];
      let at = 0;
      for (const n of batches) {
        back.push(...(await sink.add(chunks.slice(at, at + n))));
        at += n;
      }
      const done = await sink.finish();
      expect(toHex(done.digest)).toBe(expected);
      expect([...back, ...done.chunks].map((c) => toHex(c))).toEqual(copies);
      // Whole buffers were moved (detached here), views were copied (their buffer is still here).
      expect([chunks[1]!.byteLength, chunks[3]!.byteLength]).toEqual([0, 703]);
    }
    expect(big.byteLength).toBe(40_000);
  });

  it("gives the known-answer vectors' digests through the encryptor and opens them through the decryptor", async () => {
    const v = JSON.parse(readFileSync(new URL("../../vectors/attachment.json", import.meta.url), "utf8")) as {
      key: string;
      cases: { name: string; plain_size: number; digest: string }[];
    };
    const key = fromHex(v.key);
    for (const c of v.cases) {
      const plain = patternBytes(c.plain_size);
      const { blob, digest } = await encryptWhole(env, key, plain, [5, 70_000], overPorts);
      expect([c.name, toHex(digest)]).toEqual([c.name, c.digest]);
      expect(blob.length).toBe(encryptedSize(c.plain_size));
      const back = await decryptWhole(env, { key, plainSize: c.plain_size, digest }, blob, [3, 65_600], overPorts);
      expect(toHex(back) === toHex(plain)).toBe(true);
    }
  });

  it("still refuses a blob tampered with, truncated, reordered or extended", async () => {
    const key = generateAttachmentKey(env);
    const plain = patternBytes(3 * 65_536 + 1000);
    const { blob, digest } = await encryptWhole(env, key, plain, [], overPorts);
    const cases: [BlobEdit, ProtocolErrorCode][] = [
      [{ op: "flip_bit", offset: ATTACHMENT_HEADER_BYTES + 70_000, bit: 3 }, "decrypt_failed"],
      [{ op: "truncate", length: ATTACHMENT_HEADER_BYTES + 2 * 65_552 }, "decrypt_failed"],
      [{ op: "drop_chunk", chunk: 1 }, "decrypt_failed"],
      [{ op: "swap_chunks", chunks: [0, 1] }, "decrypt_failed"],
      [{ op: "duplicate_chunk", chunk: 0 }, "decrypt_failed"],
      [{ op: "append", hex: "00" }, "decrypt_failed"],
    ];
    for (const [edit, code] of cases) {
      const edited = applyEdit(blob, edit);
      expect([edit.op, await codeOf(() => decryptWhole(env, { key, plainSize: plain.length, digest }, edited, [1000, 131_000], overPorts))]).toEqual([edit.op, code]);
    }
    // A blob that opens but is not the one the message names: the digest, computed in the "worker", says so.
    const other = (await encryptWhole(env, key, plain, [], overPorts)).blob;
    const otherDigest = (await encryptWhole(env, generateAttachmentKey(env), plain)).digest;
    expect(await codeOf(() => decryptWhole(env, { key, plainSize: plain.length, digest: otherDigest }, other, [], overPorts))).toBe("digest_mismatch");
  });

  it("holds add() back while MAX_UNHASHED chunks wait for the worker", async () => {
    const sent: unknown[] = [];
    let deliver: ((data: unknown) => void) | null = null;
    const port: DigestPort = { postMessage: (m) => void sent.push(m), listen: (f) => (deliver = f ?? deliver), close: () => {} };
    const sink = portDigest(port, random(ATTACHMENT_HEADER_BYTES));
    const chunks = Array.from({ length: MAX_UNHASHED + 1 }, () => random(100));
    const first = chunks[0]!.slice();
    let resolved = false;
    const adding = sink.add(chunks).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    expect(sent.length).toBe(2); // the header and one batch
    deliver!({ hashed: [first] });
    await adding;
    expect(resolved).toBe(true);
    // A reply that hands back more than is away is refused: the sink fails instead of trusting it.
    deliver!({ hashed: Array.from({ length: MAX_UNHASHED + 1 }, () => random(1)) });
    await expect(sink.finish()).rejects.toThrow(/unexpected message/);
  });

  it("fails the stream, not hangs it, when the worker refuses a message or the sink is abandoned", async () => {
    const { near } = channel();
    const sink = portDigest(near, random(ATTACHMENT_HEADER_BYTES));
    // A chunk larger than any chunk of the format: the worker answers with an error.
    await sink.add([random(65_552 + 1)]).catch(() => {});
    await expect(sink.finish()).rejects.toThrow(/chunk of the wrong size/);
    await expect(sink.add([random(10)])).rejects.toThrow(/chunk of the wrong size/);

    const wrongHeader = portDigest(channel().near, random(7));
    await expect(wrongHeader.finish()).rejects.toThrow(/header of the wrong size/);

    const abandoned = portDigest(channel().near, random(ATTACHMENT_HEADER_BYTES));
    abandoned.abandon();
    await expect(abandoned.finish()).rejects.toThrow();
  });
});
