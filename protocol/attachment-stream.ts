import {
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENT_DIGEST_BYTES,
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_TAG_BYTES,
  AttachmentDigest,
  FULL_CHUNK_CIPHERTEXT_BYTES,
  MAX_ATTACHMENT_CHUNKS,
  MAX_ATTACHMENT_PLAINTEXT_BYTES,
  checkPlainSize,
  chunkAad,
  chunkNonce,
  decodeAttachmentHeader,
  deriveAttachmentKeys,
  encodeAttachmentHeader,
} from "./attachment-format.js";
import { ByteQueue } from "./byte-queue.js";
import { bytesEqual } from "./bytes.js";
import { fail } from "./errors.js";
import { aesGcmDecrypt, aesGcmEncrypt } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

export * from "./attachment-format.js";

/**
 * Streaming encryption and decryption of attachment blobs (docs/PROTOCOL.md "Attachment"). Neither side
 * ever holds the whole file: each keeps at most one chunk plus the slice it was just given, so a
 * TransformStream around them encrypts or decrypts a file of any size in constant memory.
 *
 * Both take ownership of the slices they are given (as a stream's chunks are handed over): a caller
 * must not overwrite a slice after passing it. Calls must not overlap (await each one), and after any
 * error the object refuses every further call with the same error.
 */
export interface AttachmentEncryptor {
  /** Plaintext in any slicing; returns the ciphertext completed so far, the header first. */
  push(plain: Uint8Array): Promise<Uint8Array[]>;
  /** The last plaintext (may be empty): returns the rest of the blob and what the message must carry. */
  final(plain?: Uint8Array): Promise<SealedAttachment>;
}

export interface SealedAttachment {
  /** The rest of the blob: after everything push() returned, in order. */
  readonly ciphertext: Uint8Array[];
  readonly plainSize: number;
  /** The ciphertext digest for the attachment message (docs/PROTOCOL.md "Attachment", digest). */
  readonly digest: Uint8Array;
}

export interface AttachmentDecryptor {
  /** Blob bytes in any slicing (as the network delivers them); returns plaintext chunks as they authenticate. */
  push(cipher: Uint8Array): Promise<Uint8Array[]>;
  /**
   * The blob has ended: opens the final chunk and checks the digest and size against the message's.
   * Until this resolves the plaintext returned so far is authentic chunk by chunk but not known to be
   * the whole file: a consumer must not hand the file to the user before then.
   */
  finish(): Promise<Uint8Array[]>;
}

/** Serialises calls and poisons the object after the first error. */
abstract class Guarded {
  private busy = false;
  private failure: unknown = undefined;
  protected done = false;

  protected async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.failure !== undefined) throw this.failure;
    if (this.busy) throw new Error("attachment stream: a call was made before the previous one resolved");
    if (this.done) throw new Error("attachment stream: already finished");
    this.busy = true;
    try {
      return await work();
    } catch (err) {
      this.failure = err;
      throw err;
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Chunks in flight. Chromium runs each WebCrypto call on another thread and answers with a task, so
 * awaiting every AES-GCM and SHA-256 call in turn leaves that thread idle between calls and pays the
 * round trip three times per chunk. The pipeline keeps up to PIPELINE_CHUNKS chunks' calls queued,
 * hands the results back strictly in blob order, and hashes each ciphertext chunk into the digest as
 * soon as it exists; the digest chain runs behind, at most 2 x PIPELINE_CHUNKS chunks. Memory stays
 * bounded: a caller that awaits ready() holds at most that many chunks. A call that fails rejects the
 * ready() that reaches it; the others are observed so none goes unhandled.
 */
export const PIPELINE_CHUNKS = 4;

class Pipeline {
  private readonly results: Promise<Uint8Array>[] = [];
  private readonly links: Promise<void>[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly chainOf: AttachmentDigest) {}

  /** `result`: what the caller gets back for this chunk; `cipher`: the chunk's ciphertext, for the digest. */
  add(result: Promise<Uint8Array>, cipher: Promise<Uint8Array> | Uint8Array): void {
    const hash = Promise.resolve(cipher).then((c) => this.chainOf.hash(c));
    this.chain = Promise.all([this.chain, hash]).then(([, h]) => this.chainOf.extend(h));
    for (const p of [result, hash, this.chain]) p.catch(() => {});
    this.results.push(result);
    this.links.push(this.chain);
  }

  /** Waits until at most `keep` chunks are in flight; returns the finished ones in order. */
  async ready(keep: number): Promise<Uint8Array[]> {
    const done: Uint8Array[] = [];
    while (this.results.length > keep) done.push(await this.results.shift()!);
    while (this.links.length > 2 * keep) await this.links.shift();
    return done;
  }

  /** The digest once every chunk added is in it. */
  async digest(): Promise<Uint8Array> {
    await this.ready(0);
    return this.chainOf.value;
  }
}

class Encryptor extends Guarded implements AttachmentEncryptor {
  private readonly queue = new ByteQueue();
  private readonly window: Pipeline;
  private headerSent = false;
  private index = 0;
  private plainSize = 0;

  constructor(
    private readonly env: CryptoEnv,
    private readonly chunkKey: Key,
    private readonly header: Uint8Array,
    private readonly aad: Uint8Array,
    digest: AttachmentDigest,
  ) {
    super();
    this.window = new Pipeline(digest);
  }

  push(plain: Uint8Array): Promise<Uint8Array[]> {
    return this.run(async () => {
      this.accept(plain);
      const head = this.headerOut();
      this.seal(this.fullChunks(), false);
      return [...head, ...(await this.window.ready(PIPELINE_CHUNKS))];
    });
  }

  final(plain: Uint8Array = new Uint8Array(0)): Promise<SealedAttachment> {
    return this.run(async () => {
      this.accept(plain);
      const head = this.headerOut();
      this.seal(this.fullChunks(), false);
      this.seal([this.queue.take(this.queue.length)], true);
      const rest = await this.window.ready(0);
      const digest = await this.window.digest();
      this.done = true;
      return { ciphertext: [...head, ...rest], plainSize: this.plainSize, digest };
    });
  }

  /** Whole chunks that are known not to be the last: a full chunk is sealed only once a byte after it exists. */
  private fullChunks(): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    while (this.queue.length > ATTACHMENT_CHUNK_BYTES) chunks.push(this.queue.take(ATTACHMENT_CHUNK_BYTES));
    return chunks;
  }

  private accept(plain: Uint8Array): void {
    if (this.plainSize + plain.length > MAX_ATTACHMENT_PLAINTEXT_BYTES) fail("out_of_bounds", "attachment is over the 4 GiB format limit");
    this.plainSize += plain.length;
    this.queue.push(plain);
  }

  private headerOut(): Uint8Array[] {
    if (this.headerSent) return [];
    this.headerSent = true;
    return [this.header];
  }

  /** Starts sealing plaintext chunks with consecutive indices; the pipeline gives them back in order. */
  private seal(chunks: Uint8Array[], final: boolean): void {
    const first = this.index;
    if (first + chunks.length > MAX_ATTACHMENT_CHUNKS) fail("out_of_bounds", "attachment has too many chunks");
    this.index += chunks.length;
    chunks.forEach((c, i) => {
      const sealed = aesGcmEncrypt(this.env, this.chunkKey, chunkNonce(first + i, final), this.aad, c);
      this.window.add(sealed, sealed);
    });
  }
}

/**
 * Starts encrypting one file under K (generateAttachmentKey: random, used for this file only). The
 * message that shares the file carries K, the size and the digest that final() returns.
 */
export async function createAttachmentEncryptor(env: CryptoEnv, key: Uint8Array): Promise<AttachmentEncryptor> {
  const { chunkKey, commitment } = await deriveAttachmentKeys(env, key);
  const header = encodeAttachmentHeader(commitment);
  return new Encryptor(env, chunkKey, header, chunkAad(header), await AttachmentDigest.start(env, header));
}

interface Opened {
  readonly aad: Uint8Array;
  readonly window: Pipeline;
}

class Decryptor extends Guarded implements AttachmentDecryptor {
  private readonly queue = new ByteQueue();
  private opened: Opened | undefined;
  private index = 0;
  private plainSize = 0;

  constructor(
    private readonly env: CryptoEnv,
    private readonly chunkKey: Key,
    private readonly commitment: Uint8Array,
    private readonly expected: { readonly plainSize: number; readonly digest: Uint8Array },
  ) {
    super();
  }

  push(cipher: Uint8Array): Promise<Uint8Array[]> {
    return this.run(async () => {
      this.queue.push(cipher);
      const opened = await this.openHeader();
      if (!opened) return [];
      // A whole chunk followed by at least one more byte is not the final one; the last chunk is held
      // back until finish(), since only the end of the stream says which chunk is final.
      const chunks: Uint8Array[] = [];
      while (this.queue.length > FULL_CHUNK_CIPHERTEXT_BYTES) chunks.push(this.queue.take(FULL_CHUNK_CIPHERTEXT_BYTES));
      this.open(opened, chunks, false);
      return this.counted(await opened.window.ready(PIPELINE_CHUNKS));
    });
  }

  finish(): Promise<Uint8Array[]> {
    return this.run(async () => {
      const opened = await this.openHeader();
      if (!opened) return fail("malformed", "attachment blob is truncated inside its header");
      if (this.queue.length < ATTACHMENT_TAG_BYTES) fail("malformed", "attachment blob is truncated: no final chunk");
      this.open(opened, [this.queue.take(this.queue.length)], true);
      const plain = await opened.window.ready(0);
      if (this.index > 1 && plain.at(-1)?.length === 0) fail("malformed", "attachment blob ends with an empty chunk after data");
      const rest = this.counted(plain);
      if (!bytesEqual(await opened.window.digest(), this.expected.digest)) fail("digest_mismatch", "attachment blob differs from the one its message names");
      if (this.plainSize !== this.expected.plainSize) fail("malformed", `attachment holds ${this.plainSize} bytes, its message says ${this.expected.plainSize}`);
      this.done = true;
      return rest;
    });
  }

  /**
   * Reads the header once its bytes are in, and refuses a blob made for another key before any chunk is
   * opened (the commitment check; AES-GCM alone would let one ciphertext open under two chosen keys).
   */
  private async openHeader(): Promise<Opened | undefined> {
    if (this.opened) return this.opened;
    if (this.queue.length < ATTACHMENT_HEADER_BYTES) return undefined;
    const header = this.queue.take(ATTACHMENT_HEADER_BYTES);
    const { commitment } = decodeAttachmentHeader(header);
    if (!bytesEqual(commitment, this.commitment)) fail("commitment_mismatch", "attachment blob was made for another key");
    this.opened = { aad: chunkAad(header), window: new Pipeline(await AttachmentDigest.start(this.env, header)) };
    return this.opened;
  }

  /** Starts opening ciphertext chunks with consecutive indices; the pipeline gives the plaintexts back in order. */
  private open(opened: Opened, chunks: Uint8Array[], final: boolean): void {
    if (chunks.length === 0) return;
    const first = this.index;
    // The final chunk takes the last index there is, so a non-final one cannot have it.
    const limit = final ? MAX_ATTACHMENT_CHUNKS : MAX_ATTACHMENT_CHUNKS - 1;
    if (first + chunks.length > limit) fail("out_of_bounds", "attachment blob is over the 4 GiB format limit");
    this.index += chunks.length;
    chunks.forEach((c, i) => opened.window.add(aesGcmDecrypt(this.env, this.chunkKey, chunkNonce(first + i, final), opened.aad, c), c));
  }

  /** Authenticated plaintext chunks, in order: counted against the message's size, empty ones dropped. */
  private counted(plain: Uint8Array[]): Uint8Array[] {
    for (const p of plain) this.plainSize += p.length;
    if (this.plainSize > this.expected.plainSize) fail("malformed", `attachment holds more than the ${this.expected.plainSize} bytes its message says`);
    return plain.filter((p) => p.length > 0);
  }
}

/**
 * Starts decrypting one blob with K, the plaintext size and the ciphertext digest from the attachment
 * message (attachment-content.ts), all three checked: the commitment before any chunk, every chunk as
 * it arrives, the digest and size at finish().
 */
export async function createAttachmentDecryptor(env: CryptoEnv, p: { key: Uint8Array; plainSize: number; digest: Uint8Array }): Promise<AttachmentDecryptor> {
  checkPlainSize(p.plainSize);
  if (p.digest.length !== ATTACHMENT_DIGEST_BYTES) fail("malformed", `attachment digest must be ${ATTACHMENT_DIGEST_BYTES} bytes`);
  const { chunkKey, commitment } = await deriveAttachmentKeys(env, p.key);
  return new Decryptor(env, chunkKey, commitment, { plainSize: p.plainSize, digest: p.digest.slice() });
}
