// Whole-blob helpers over the streaming attachment API, for tests: feed it in given slices, collect the output.
import {
  ATTACHMENT_HEADER_BYTES,
  FULL_CHUNK_CIPHERTEXT_BYTES,
  concat,
  createAttachmentDecryptor,
  createAttachmentEncryptor,
  fromHex,
  type CryptoEnv,
  type ChunkCryptos,
} from "../../../protocol/index.js";

/** The vectors' plaintext of n bytes: byte i is i mod 251 (a prime, so no chunk repeats another). */
export function patternBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 251;
  return out;
}

/** Cuts `bytes` at the given offsets (sorted, clamped), so a test controls how a stream delivers them. */
export function sliceAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(from, p));
    from = p;
  }
  return out;
}

export async function encryptWhole(env: CryptoEnv, key: Uint8Array, plain: Uint8Array, cuts: readonly number[] = [], digests?: ChunkCryptos) {
  const enc = await createAttachmentEncryptor(env, key, digests);
  const slices = sliceAt(plain, cuts);
  const out: Uint8Array[] = [];
  for (const s of slices.slice(0, -1)) out.push(...(await enc.push(s)));
  const sealed = await enc.final(slices[slices.length - 1]);
  return { blob: concat(...out, ...sealed.ciphertext), pieces: [...out, ...sealed.ciphertext], plainSize: sealed.plainSize, digest: sealed.digest };
}

export async function decryptWhole(
  env: CryptoEnv,
  p: { key: Uint8Array; plainSize: number; digest: Uint8Array },
  blob: Uint8Array,
  cuts: readonly number[] = [],
  digests?: ChunkCryptos,
) {
  const dec = await createAttachmentDecryptor(env, p, digests);
  const out: Uint8Array[] = [];
  for (const s of sliceAt(blob, cuts)) out.push(...(await dec.push(s)));
  out.push(...(await dec.finish()));
  return concat(...out);
}

/** The blob edits of the negative vectors (tests/vectors/attachment.json "negative"). */
export type BlobEdit =
  | { op: "drop_chunk"; chunk: number }
  | { op: "swap_chunks"; chunks: [number, number] }
  | { op: "duplicate_chunk"; chunk: number }
  | { op: "flip_bit"; offset: number; bit: number }
  | { op: "append"; hex: string }
  | { op: "truncate"; length: number }
  | { op: "set_u32"; offset: number; value: number }
  | { op: "none" };

export function chunksOf(blob: Uint8Array): { header: Uint8Array; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  for (let off = ATTACHMENT_HEADER_BYTES; off < blob.length; off += FULL_CHUNK_CIPHERTEXT_BYTES) chunks.push(blob.slice(off, off + FULL_CHUNK_CIPHERTEXT_BYTES));
  return { header: blob.slice(0, ATTACHMENT_HEADER_BYTES), chunks };
}

export function applyEdit(blob: Uint8Array, edit: BlobEdit): Uint8Array {
  const { header, chunks } = chunksOf(blob);
  switch (edit.op) {
    case "none":
      return blob.slice();
    case "drop_chunk":
      return concat(header, ...chunks.filter((_, i) => i !== edit.chunk));
    case "swap_chunks": {
      const [a, b] = edit.chunks;
      const swapped = chunks.map((c, i) => (i === a ? chunks[b]! : i === b ? chunks[a]! : c));
      return concat(header, ...swapped);
    }
    case "duplicate_chunk":
      return concat(header, ...chunks.flatMap((c, i) => (i === edit.chunk ? [c, c] : [c])));
    case "flip_bit": {
      const out = blob.slice();
      out[edit.offset]! ^= 1 << edit.bit;
      return out;
    }
    case "append":
      return concat(blob, fromHex(edit.hex));
    case "truncate":
      return blob.slice(0, edit.length);
    case "set_u32": {
      const out = blob.slice();
      new DataView(out.buffer).setUint32(edit.offset, edit.value);
      return out;
    }
  }
}
