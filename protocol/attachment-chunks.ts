import { ATTACHMENT_DIGEST_BYTES, chunkNonce } from "./attachment-format.js";
import { aesGcmDecrypt, aesGcmEncrypt } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * One chunk's work in an attachment blob (docs/PROTOCOL.md "Attachment"): its AES-256-GCM under the chunk
 * key with the STREAM nonce (index, final flag) and the header's AAD, and the SHA-256 of its ciphertext
 * that the digest chain takes. The chunks of a blob are independent of each other; only the chain (a
 * 96-byte hash per chunk, attachment-stream.ts) runs in blob order. So a host may do this work for many
 * chunks at once, on other threads (the web client: web/src/client/attachments/chunk-pool.ts), as long as
 * the results come back to the stream in blob order.
 */
export interface ChunkKeys {
  readonly chunkKey: Key;
  readonly aad: Uint8Array;
}

export interface ChunkResult {
  /** The sealed chunk (ciphertext and tag) for seal, the plaintext for open. */
  readonly bytes: Uint8Array;
  /** SHA-256 of the chunk's ciphertext: what the digest chain takes for this chunk. */
  readonly hash: Uint8Array;
}

/**
 * Where an encryptor or decryptor has its chunks sealed or opened. seal() and open() take ownership of
 * the bytes they are given (an implementation may move their buffer to another thread) and may run
 * concurrently; each call's promise settles with that chunk's result, open() failing with
 * `decrypt_failed` when the tag does not verify. At most `window` calls are left unsettled by the
 * stream (its back-pressure: the bytes in flight are bounded whatever the file size). flush() says the
 * stream is about to wait for its oldest unsettled call: an implementation that holds calls back to
 * send them in batches must make sure that one will settle. close() frees everything (idempotent):
 * calls still unsettled reject.
 */
export interface ChunkCrypto {
  readonly window: number;
  seal(index: number, final: boolean, plain: Uint8Array): Promise<ChunkResult>;
  open(index: number, final: boolean, cipher: Uint8Array): Promise<ChunkResult>;
  flush(): void;
  close(): void;
  /**
   * A buffer of exactly `size` bytes that the implementation got back from an earlier call and no longer
   * uses, for the stream to copy its next chunk into instead of allocating one (fewer buffers left for
   * the garbage collector); undefined when it has none.
   */
  spare?(size: number): Uint8Array | undefined;
}

/** Starts one blob's chunk crypto from its keys. */
export type ChunkCryptos = (keys: ChunkKeys) => Promise<ChunkCrypto>;

/** Seals chunk `index`: AES-256-GCM(chunk key, STREAM nonce, AAD, plain) and the SHA-256 of the result. */
export async function sealChunk(env: CryptoEnv, keys: ChunkKeys, index: number, final: boolean, plain: Uint8Array): Promise<ChunkResult> {
  const bytes = await aesGcmEncrypt(env, keys.chunkKey, chunkNonce(index, final), keys.aad, plain);
  return { bytes, hash: await chunkHash(env, bytes) };
}

/** Opens chunk `index` (`decrypt_failed` unless its tag verifies) and hashes its ciphertext. */
export async function openChunk(env: CryptoEnv, keys: ChunkKeys, index: number, final: boolean, cipher: Uint8Array): Promise<ChunkResult> {
  // WebCrypto copies its input when called, so both may read the same bytes.
  const [bytes, hash] = await Promise.all([aesGcmDecrypt(env, keys.chunkKey, chunkNonce(index, final), keys.aad, cipher), chunkHash(env, cipher)]);
  return { bytes, hash };
}

export async function chunkHash(env: CryptoEnv, cipher: Uint8Array): Promise<Uint8Array> {
  const h = new Uint8Array(await env.subtle.digest("SHA-256", cipher));
  if (h.length !== ATTACHMENT_DIGEST_BYTES) throw new RangeError("SHA-256 must give 32 bytes");
  return h;
}

/**
 * None left in flight between calls on the calling thread: WebCrypto runs them one after another there
 * anyway, and each push() then returns every chunk it completed.
 */
const SERIAL_WINDOW = 0;

/** Every chunk on the calling thread with the env's WebCrypto: the default, and the fallback of hosts. */
export function serialChunkCrypto(env: CryptoEnv): ChunkCryptos {
  return async (keys) => {
    let closed = false;
    const guard = <T>(work: () => Promise<T>): Promise<T> => (closed ? Promise.reject(new Error("attachment chunks: closed")) : work());
    return {
      window: SERIAL_WINDOW,
      seal: (index, final, plain) => guard(() => sealChunk(env, keys, index, final, plain)),
      open: (index, final, cipher) => guard(() => openChunk(env, keys, index, final, cipher)),
      flush: () => {},
      close: () => {
        closed = true;
      },
    };
  };
}
