/**
 * attachments/: files sent in messages (issue 18; docs/PROTOCOL.md "Attachment"). streams.ts: the blob's
 * encryption and decryption as TransformStreams, so `file.stream()` and a download's body pipe through
 * them in constant memory; download.ts: fetching, checking and decrypting one message's file;
 * attachment-error.ts: the errors people see.
 *
 * Each stream wraps protocol's encryptor or decryptor (attachment-stream.ts), which holds a partial
 * chunk, the slice just given and a bounded window of chunks being sealed or opened. A TransformStream
 * awaits transform() before taking the next slice and its readable side has no buffer of its own
 * (highWaterMark 0), so a slow reader stops the writer: the file is read as fast as it is consumed, never
 * more than the window ahead of it. Cancelling either side (or aborting a pipe) frees the chunk workers'
 * ports at once.
 *
 * The chunks are sealed and opened where `chunks` says: by default in the page's chunk workers
 * (chunk-pool.ts), several chunks at once on every core.
 */
import {
  createAttachmentDecryptor,
  createAttachmentEncryptor,
  type AttachmentDecryptor,
  type AttachmentEncryptor,
  type ChunkCryptos,
  type CryptoEnv,
} from "../../../../protocol/index.js";
import { defaultCryptoEnv } from "../env.js";
import { attachmentError } from "./attachment-error.js";
import { defaultChunkCrypto } from "./chunk-pool.js";

/** What the message that shares the file carries, known once the whole file went through. */
export interface SealedFile {
  /** Plaintext bytes. */
  readonly plainSize: number;
  /** The blob's ciphertext digest (docs/PROTOCOL.md "Attachment", digest). */
  readonly digest: Uint8Array;
}

/** What a blob must match to be decrypted: the attachment message's key, size and digest. */
export interface BlobCheck {
  readonly key: Uint8Array;
  readonly plainSize: number;
  readonly digest: Uint8Array;
}

/**
 * The transformer with the Streams standard's cancel hook (run when the readable side is cancelled or
 * the writable side aborted; Chromium and Node have it), which TypeScript's DOM types do not list yet.
 */
function withCancel<I, O>(transformer: Transformer<I, O>, cancel: () => void): Transformer<I, O> {
  return Object.assign(transformer, { cancel });
}

function enqueueAll(controller: TransformStreamDefaultController<Uint8Array>, chunks: readonly Uint8Array[]): void {
  for (const c of chunks) controller.enqueue(c);
}

/**
 * Plaintext in (any slicing), blob out (header first). `sealed` resolves with the size and digest when
 * the writable side closes, and rejects with the stream's error if encrypting fails; a pipe that is
 * aborted from outside leaves it pending, so await the pipe first (its rejection says why). The key must be fresh for
 * this file (generateAttachmentKey): the chunk nonces are a counter.
 */
export class EncryptStream extends TransformStream<Uint8Array, Uint8Array> {
  readonly sealed: Promise<SealedFile>;

  constructor(key: Uint8Array, env: CryptoEnv = defaultCryptoEnv(), chunks: ChunkCryptos = defaultChunkCrypto(env)) {
    let encryptor: AttachmentEncryptor | undefined;
    let settle!: { resolve: (s: SealedFile) => void; reject: (e: unknown) => void };
    const sealed = new Promise<SealedFile>((resolve, reject) => (settle = { resolve, reject }));
    // Unobserved when the caller only reads the stream: the error still reaches it through the stream.
    sealed.catch(() => {});
    const failed = (e: unknown) => {
      const err = attachmentError(e, "encrypt");
      settle.reject(err);
      return err;
    };
    super(
      withCancel(
        {
          async start() {
            try {
              encryptor = await createAttachmentEncryptor(env, key, chunks);
            } catch (e) {
              throw failed(e);
            }
          },
          async transform(chunk, controller) {
            try {
              enqueueAll(controller, await encryptor!.push(chunk));
            } catch (e) {
              throw failed(e);
            }
          },
          async flush(controller) {
            try {
              const last = await encryptor!.final();
              enqueueAll(controller, last.ciphertext);
              settle.resolve({ plainSize: last.plainSize, digest: last.digest });
            } catch (e) {
              throw failed(e);
            }
          },
        },
        () => encryptor?.cancel(),
      ),
      undefined,
      { highWaterMark: 0 },
    );
    this.sealed = sealed;
  }
}

/**
 * Blob bytes in (as the network delivers them), plaintext out, each chunk only once it authenticated.
 * The stream closes only after the final chunk, the digest and the size were checked: a blob that was
 * changed, truncated, reordered or extended errors the stream (ClientError `attachment_corrupt`) instead.
 * A consumer must not treat what it read as the whole file until the stream closed without error.
 */
export class DecryptStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(check: BlobCheck, env: CryptoEnv = defaultCryptoEnv(), chunks: ChunkCryptos = defaultChunkCrypto(env)) {
    let decryptor: AttachmentDecryptor | undefined;
    super(
      withCancel(
        {
          async start() {
            try {
              decryptor = await createAttachmentDecryptor(env, { key: check.key, plainSize: check.plainSize, digest: check.digest }, chunks);
            } catch (e) {
              throw attachmentError(e, "decrypt");
            }
          },
          async transform(chunk, controller) {
            try {
              enqueueAll(controller, await decryptor!.push(chunk));
            } catch (e) {
              throw attachmentError(e, "decrypt");
            }
          },
          async flush(controller) {
            try {
              enqueueAll(controller, await decryptor!.finish());
            } catch (e) {
              throw attachmentError(e, "decrypt");
            }
          },
        },
        () => decryptor?.cancel(),
      ),
      undefined,
      { highWaterMark: 0 },
    );
  }
}

/** `encryptStream(key)`: a fresh EncryptStream (see there). */
export function encryptStream(key: Uint8Array, env?: CryptoEnv, chunks?: ChunkCryptos): EncryptStream {
  return new EncryptStream(key, env, chunks);
}

/** `decryptStream({ key, plainSize, digest })`: a fresh DecryptStream (see there). */
export function decryptStream(check: BlobCheck, env?: CryptoEnv, chunks?: ChunkCryptos): DecryptStream {
  return new DecryptStream(check, env, chunks);
}
