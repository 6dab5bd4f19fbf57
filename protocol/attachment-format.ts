import { bytesEqual } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { Label } from "./labels.js";
import { HASH_BYTES, IV_BYTES, hkdf, importAesKey, labelled } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * The attachment blob, docs/PROTOCOL.md "Attachment": header || chunk 0 || ... || chunk n-1, each chunk
 * AES-256-GCM of up to ATTACHMENT_CHUNK_BYTES of the file under a key derived from the file's own random
 * key K, with the chunk index and a final flag in the nonce (the STREAM construction of Hoang,
 * Reyhanitabar, Rogaway and Vizár, CRYPTO 2015). This file holds the constants, the header codec, the key
 * schedule and the sizes; attachment-stream.ts runs the encryptor and decryptor over them.
 */
export const ATTACHMENT_MAGIC = Uint8Array.of(0x53, 0x4c, 0x41, 0x54); // "SLAT"
export const ATTACHMENT_VERSION = 1;
/** Plaintext bytes per chunk, fixed in version 1 (docs/decisions.md "Attachment blob format"). */
export const ATTACHMENT_CHUNK_BYTES = 65_536;
export const ATTACHMENT_KEY_BYTES = 32;
export const ATTACHMENT_COMMITMENT_BYTES = 32;
export const ATTACHMENT_DIGEST_BYTES = HASH_BYTES;
/** The AES-GCM tag on every chunk. */
export const ATTACHMENT_TAG_BYTES = 16;
/** magic (4) || version (1) || chunk size (4) || commitment (32). */
export const ATTACHMENT_HEADER_BYTES = 4 + 1 + 4 + ATTACHMENT_COMMITMENT_BYTES;
/** The largest file the format carries: 4 GiB, 65,536 chunks (the product limit is the server's, lower). */
export const MAX_ATTACHMENT_PLAINTEXT_BYTES = 2 ** 32;
export const MAX_ATTACHMENT_CHUNKS = MAX_ATTACHMENT_PLAINTEXT_BYTES / ATTACHMENT_CHUNK_BYTES;
/** A whole chunk's ciphertext: a full plaintext chunk and its tag. */
export const FULL_CHUNK_CIPHERTEXT_BYTES = ATTACHMENT_CHUNK_BYTES + ATTACHMENT_TAG_BYTES;

export interface AttachmentHeader {
  readonly version: typeof ATTACHMENT_VERSION;
  readonly chunkBytes: number;
  readonly commitment: Uint8Array;
}

/** The per-file secrets derived from K: the chunk key (non-extractable) and the key commitment. */
export interface AttachmentKeys {
  readonly chunkKey: Key;
  readonly commitment: Uint8Array;
}

/** A fresh random K: one per file, never reused (the chunk nonces are a counter, safe only under a new key). */
export function generateAttachmentKey(env: CryptoEnv): Uint8Array {
  return env.randomBytes(ATTACHMENT_KEY_BYTES);
}

/**
 * chunk key = HKDF-SHA-256(K, salt = empty, info = labelled("sealed/attachment/v1/chunk-key"), 32) and
 * commitment = HKDF-SHA-256(K, salt = empty, info = labelled("sealed/attachment/v1/commitment"), 32).
 * RFC 5869 section 3.1: no salt is needed when the input key is already uniformly random, as K is. AES-GCM
 * alone is not key-committing (one ciphertext can open under two chosen keys); the commitment in the
 * header, checked before any chunk is opened, pins the one K the blob was made for.
 */
export async function deriveAttachmentKeys(env: CryptoEnv, key: Uint8Array): Promise<AttachmentKeys> {
  if (key.length !== ATTACHMENT_KEY_BYTES) fail("malformed", `attachment key must be ${ATTACHMENT_KEY_BYTES} bytes`);
  const empty = new Uint8Array(0);
  const raw = await hkdf(env, key, empty, labelled(Label.attachmentChunkKey), 32);
  const commitment = await hkdf(env, key, empty, labelled(Label.attachmentCommitment), ATTACHMENT_COMMITMENT_BYTES);
  const chunkKey = await importAesKey(env, raw, false, ["encrypt", "decrypt"]);
  raw.fill(0);
  return { chunkKey, commitment };
}

export function encodeAttachmentHeader(commitment: Uint8Array): Uint8Array {
  return new Writer()
    .fixed(ATTACHMENT_MAGIC, ATTACHMENT_MAGIC.length)
    .u8(ATTACHMENT_VERSION)
    .u32(ATTACHMENT_CHUNK_BYTES)
    .fixed(commitment, ATTACHMENT_COMMITMENT_BYTES)
    .finish();
}

/**
 * Decodes the first ATTACHMENT_HEADER_BYTES of a blob: `malformed` for another magic or length,
 * `unsupported_version`, `out_of_bounds` for a chunk size other than version 1's (a decoder that took
 * the size from the blob would let a sender make it buffer a chunk of any size).
 */
export function decodeAttachmentHeader(bytes: Uint8Array): AttachmentHeader {
  const r = new Reader(bytes, "attachment header");
  if (!bytesEqual(r.fixed(ATTACHMENT_MAGIC.length, "magic"), ATTACHMENT_MAGIC)) fail("malformed", "not an attachment blob (magic)");
  const version = r.u8("version");
  if (version !== ATTACHMENT_VERSION) fail("unsupported_version", `attachment blob version ${version}`);
  const chunkBytes = r.u32("chunk size");
  if (chunkBytes !== ATTACHMENT_CHUNK_BYTES) fail("out_of_bounds", `attachment chunk size ${chunkBytes}, version 1 uses ${ATTACHMENT_CHUNK_BYTES}`);
  const commitment = r.fixed(ATTACHMENT_COMMITMENT_BYTES, "commitment");
  r.end();
  return { version: ATTACHMENT_VERSION, chunkBytes, commitment };
}

/** STREAM nonce: 7 zero bytes || u32 chunk index || u8 final (1 on the last chunk, else 0). */
export function chunkNonce(index: number, final: boolean): Uint8Array {
  const nonce = new Writer().fixed(new Uint8Array(7), 7).u32(index).u8(final ? 1 : 0).finish();
  if (nonce.length !== IV_BYTES) throw new RangeError("chunk nonce must be 12 bytes");
  return nonce;
}

/** The AAD of every chunk: the header, so a chunk opens only inside the blob it was sealed for. */
export function chunkAad(header: Uint8Array): Uint8Array {
  return labelled(Label.attachmentChunk, header);
}

/** Chunks of a file of `plainSize` bytes: one (empty) for an empty file, else ceil(size / 64 KiB). */
export function attachmentChunkCount(plainSize: number): number {
  checkPlainSize(plainSize);
  return Math.max(1, Math.ceil(plainSize / ATTACHMENT_CHUNK_BYTES));
}

/** Bytes of the blob of a file of `plainSize` bytes: header + plaintext + one 16-byte tag per chunk. */
export function encryptedSize(plainSize: number): number {
  return ATTACHMENT_HEADER_BYTES + plainSize + attachmentChunkCount(plainSize) * ATTACHMENT_TAG_BYTES;
}

/**
 * The file size a blob of `blobSize` bytes holds, or `malformed` when no file encrypts to that size
 * (what a server or client can check on sizes alone, without the key).
 */
export function plaintextSize(blobSize: number): number {
  if (!Number.isSafeInteger(blobSize) || blobSize < ATTACHMENT_HEADER_BYTES + ATTACHMENT_TAG_BYTES) fail("malformed", `no attachment blob is ${blobSize} bytes`);
  const body = blobSize - ATTACHMENT_HEADER_BYTES;
  const chunks = Math.ceil(body / FULL_CHUNK_CIPHERTEXT_BYTES);
  const plain = body - chunks * ATTACHMENT_TAG_BYTES;
  if (plain > MAX_ATTACHMENT_PLAINTEXT_BYTES) fail("out_of_bounds", `an attachment blob of ${blobSize} bytes is over the 4 GiB format limit`);
  // A size whose last chunk would be a bare tag after full chunks (an empty final chunk) is refused here.
  if (plain < 0 || encryptedSize(plain) !== blobSize) fail("malformed", `no attachment blob is ${blobSize} bytes`);
  return plain;
}

export function checkPlainSize(plainSize: number): void {
  if (!Number.isSafeInteger(plainSize) || plainSize < 0 || plainSize > MAX_ATTACHMENT_PLAINTEXT_BYTES) {
    fail("out_of_bounds", `attachment size must be 0 to ${MAX_ATTACHMENT_PLAINTEXT_BYTES} bytes`);
  }
}

/**
 * The ciphertext digest, computable while streaming with WebCrypto (which has no incremental SHA-256):
 * d = H("sealed/attachment-digest/v1", header), then for each chunk in order
 * d = H("sealed/attachment-digest/v1", d, SHA-256(chunk)). A hash chain over every byte of the blob.
 */
export class AttachmentDigest {
  private constructor(
    private readonly env: CryptoEnv,
    private current: Uint8Array,
  ) {}

  /**
   * One chain step's input, labelled(label, d_i, h_i), made once: each step writes d_i and h_i into it
   * (WebCrypto copies its input when called, and the steps run one at a time).
   */
  private readonly step = labelled(Label.attachmentDigest, new Uint8Array(ATTACHMENT_DIGEST_BYTES), new Uint8Array(ATTACHMENT_DIGEST_BYTES));

  static async start(env: CryptoEnv, header: Uint8Array): Promise<AttachmentDigest> {
    return new AttachmentDigest(env, await sha256(env, labelled(Label.attachmentDigest, header)));
  }

  /** Adds ciphertext chunks, in blob order (their SHA-256s run in parallel, the chain in order). */
  async add(chunks: readonly Uint8Array[]): Promise<void> {
    await this.addHashes(await Promise.all(chunks.map((c) => sha256(this.env, c))));
  }

  /** The chain steps for chunks whose SHA-256 is already known (attachment-chunks.ts), in blob order. */
  async addHashes(hashes: readonly Uint8Array[]): Promise<void> {
    for (const h of hashes) {
      if (h.length !== ATTACHMENT_DIGEST_BYTES) throw new RangeError("a chunk hash is 32 bytes");
      // labelled(label, d, h) ends with u32 32 ‖ d ‖ u32 32 ‖ h.
      const step = this.step;
      step.set(this.current, step.length - 2 * ATTACHMENT_DIGEST_BYTES - 4);
      step.set(h, step.length - ATTACHMENT_DIGEST_BYTES);
      this.current = await sha256(this.env, step);
    }
  }

  get value(): Uint8Array {
    return this.current.slice();
  }
}

async function sha256(env: CryptoEnv, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await env.subtle.digest("SHA-256", data));
}
