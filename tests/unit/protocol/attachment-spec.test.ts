// docs/PROTOCOL.md "Attachment" implemented a second time from the text alone, with node:crypto and no
// protocol/ code, must give the known-answer digests of tests/vectors/attachment.json: the spec is
// byte-exact and the implementation follows it.
import { createCipheriv, createHash, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import vectors from "../../vectors/attachment.json" with { type: "json" };
import { patternBytes } from "./attachment-helpers.js";

const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const lp = (b: Uint8Array) => Buffer.concat([u32(b.length), b]);
const labelled = (label: string, ...parts: Uint8Array[]) => Buffer.concat([lp(Buffer.from(label, "utf8")), ...parts.map(lp)]);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest();

function blobOf(key: Buffer, plain: Uint8Array): { blob: Buffer; digest: Buffer } {
  const chunkKey = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), labelled("sealed/attachment/v1/chunk-key"), 32));
  const commitment = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), labelled("sealed/attachment/v1/commitment"), 32));
  const header = Buffer.concat([Buffer.from("SLAT", "ascii"), Buffer.from([1]), u32(65536), commitment]);
  const aad = labelled("sealed/attachment-chunk/v1", header);
  const n = Math.max(1, Math.ceil(plain.length / 65536));
  let digest = sha256(labelled("sealed/attachment-digest/v1", header));
  const parts: Buffer[] = [header];
  for (let i = 0; i < n; i++) {
    const nonce = Buffer.concat([Buffer.alloc(7), u32(i), Buffer.from([i === n - 1 ? 1 : 0])]);
    const c = createCipheriv("aes-256-gcm", chunkKey, nonce);
    c.setAAD(aad);
    const chunk = Buffer.concat([c.update(plain.subarray(i * 65536, (i + 1) * 65536)), c.final(), c.getAuthTag()]);
    parts.push(chunk);
    digest = sha256(labelled("sealed/attachment-digest/v1", digest, sha256(chunk)));
  }
  return { blob: Buffer.concat(parts), digest };
}

describe("docs/PROTOCOL.md \"Attachment\", implemented from the text with node:crypto", () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))("%s gives the vector's header, size, bytes and digest", (_name, c) => {
    const { blob, digest } = blobOf(Buffer.from(vectors.key, "hex"), patternBytes(c.plain_size));
    expect(blob.subarray(0, 41).toString("hex")).toBe(vectors.header);
    expect(blob.length).toBe(c.blob_size);
    if ("blob" in c) expect(blob.toString("hex")).toBe(c.blob);
    expect(digest.toString("hex")).toBe(c.digest);
  });
});
