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
  decodeAttachmentHeader,
  deriveAttachmentKeys,
  encodeAttachmentHeader,
} from "./attachment-format.js";
import { serialChunkCrypto, type ChunkCrypto, type ChunkCryptos, type ChunkResult } from "./attachment-chunks.js";
import { ByteQueue } from "./byte-queue.js";
import { bytesEqual } from "./bytes.js";
import { fail } from "./errors.js";
import type { CryptoEnv } from "./subtle.js";

export * from "./attachment-format.js";
export * from "./attachment-chunks.js";

/**
 * Streaming encryption and decryption of attachment blobs (docs/PROTOCOL.md "Attachment"). Neither side
 * ever holds the whole file: each keeps the slice it was just given, a partial chunk, and at most
 * `window` chunks being sealed or opened (ChunkCrypto, attachment-chunks.ts), so a TransformStream
 * around them encrypts or decrypts a file of any size in constant memory. The chunks' work may run
 * concurrently (on other threads); their results are taken, and the digest chain stepped, in blob order.
 *
 * Both take ownership of the slices they are given (as a stream's chunks are handed over): a caller
 * must not use a slice after passing it (its buffer may be moved to a worker). Calls must not overlap
 * (await each one), and after any error the object refuses every further call with the same error.
 */
export interface AttachmentEncryptor {
  /** Plaintext in any slicing; returns the ciphertext completed so far, the header first. */
  push(plain: Uint8Array): Promise<Uint8Array[]>;
  /** The last plaintext (may be empty): returns the rest of the blob and what the message must carry. */
  final(plain?: Uint8Array): Promise<SealedAttachment>;
  /** Gives up (the stream was cancelled): frees the chunk crypto; later calls fail. Never throws. */
  cancel(): void;
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
  /** Gives up (the stream was cancelled): frees the chunk crypto; later calls fail. Never throws. */
  cancel(): void;
}

interface Pending {
  readonly done: Promise<ChunkResult>;
  result?: ChunkResult;
}

/**
 * Serialises calls, poisons the object after the first error, and keeps the chunks in flight: started
 * in blob order, taken in blob order, at most `window` left unsettled when a call returns.
 */
abstract class Pipeline {
  private busy = false;
  private failure: unknown = undefined;
  protected done = false;
  private readonly inFlight: Pending[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    protected readonly chunks: ChunkCrypto,
    private readonly digest: AttachmentDigest,
  ) {}

  cancel(): void {
    if (this.done || this.failure !== undefined) return;
    this.failure = new Error("attachment stream: cancelled");
    this.chunks.close();
  }

  protected async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.failure !== undefined) throw this.failure;
    if (this.busy) throw new Error("attachment stream: a call was made before the previous one resolved");
    if (this.done) throw new Error("attachment stream: already finished");
    this.busy = true;
    try {
      return await work();
    } catch (err) {
      this.failure ??= err;
      this.chunks.close();
      throw err;
    } finally {
      this.busy = false;
    }
  }

  /** The next `n` queued bytes as one chunk, copied (when they span slices) into a spare buffer if there is one. */
  protected takeChunk(queue: ByteQueue, n: number): Uint8Array {
    return queue.take(n, (m) => this.chunks.spare?.(m) ?? new Uint8Array(m));
  }

  protected get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** Adds one chunk's work; its promise is observed at once so a failure waits, unhandled, for its turn. */
  protected start(done: Promise<ChunkResult>): void {
    const p: Pending = { done };
    done.then(
      (r) => (p.result = r),
      () => {},
    );
    this.inFlight.push(p);
  }

  /**
   * Takes the results that are in, in blob order, and waits for more while over `keep` are in flight;
   * `check` sees each result before it is taken. The chain steps run behind, in order (finishDigest).
   */
  protected async take(keep: number, check: (r: ChunkResult) => void): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    const hashes: Uint8Array[] = [];
    for (;;) {
      const head = this.inFlight[0];
      if (!head) break;
      let r = head.result;
      if (!r && this.inFlight.length > keep) {
        this.chunks.flush();
        r = await head.done;
      }
      if (!r) break;
      this.inFlight.shift();
      check(r);
      hashes.push(r.hash);
      out.push(r.bytes);
    }
    if (hashes.length > 0) {
      const digest = this.digest;
      this.chain = this.chain.then(() => digest.addHashes(hashes));
      // Awaited by finishDigest; a stream cancelled before then leaves it unobserved.
      this.chain.catch(() => {});
    }
    return out;
  }

  protected async finishDigest(): Promise<Uint8Array> {
    await this.chain;
    this.done = true;
    this.chunks.close();
    return this.digest.value;
  }
}

class Encryptor extends Pipeline implements AttachmentEncryptor {
  private readonly queue = new ByteQueue();
  private headerSent = false;
  private index = 0;
  private plainSize = 0;

  constructor(
    chunks: ChunkCrypto,
    private readonly header: Uint8Array,
    digest: AttachmentDigest,
  ) {
    super(chunks, digest);
  }

  push(plain: Uint8Array): Promise<Uint8Array[]> {
    return this.run(async () => {
      this.accept(plain);
      return [...this.headerOut(), ...(await this.sealFull())];
    });
  }

  final(plain: Uint8Array = new Uint8Array(0)): Promise<SealedAttachment> {
    return this.run(async () => {
      this.accept(plain);
      const head = [...this.headerOut(), ...(await this.sealFull())];
      this.seal(this.queue.take(this.queue.length), true);
      this.chunks.flush();
      const rest = await this.take(0, check);
      const digest = await this.finishDigest();
      return { ciphertext: [...head, ...rest], plainSize: this.plainSize, digest };
    });
  }

  /**
   * Seals the full chunks queued, keeping at most `window` + 1 in flight however large the slice was;
   * returns the sealed chunks that are in. A full chunk is sealed only once a byte after it exists:
   * until then it may be the last.
   */
  private async sealFull(): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    while (this.queue.length > ATTACHMENT_CHUNK_BYTES) {
      this.seal(this.takeChunk(this.queue, ATTACHMENT_CHUNK_BYTES), false);
      if (this.inFlightCount > this.chunks.window) out.push(...(await this.take(this.chunks.window, check)));
    }
    out.push(...(await this.take(this.chunks.window, check)));
    return out;
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

  private seal(plain: Uint8Array, final: boolean): void {
    if (this.index + 1 > MAX_ATTACHMENT_CHUNKS) fail("out_of_bounds", "attachment has too many chunks");
    const size = plain.length;
    const sealing = this.chunks.seal(this.index++, final, plain);
    this.start(sealing.then((r) => (r.bytes.length === size + ATTACHMENT_TAG_BYTES ? r : fail("malformed", "a sealed chunk has the wrong size"))));
  }
}

/** What any chunk result must be: its hash 32 bytes (the sizes are checked where the sizes are known). */
function check(r: ChunkResult): void {
  if (r.hash.length !== ATTACHMENT_DIGEST_BYTES) fail("malformed", "a chunk hash has the wrong size");
}

/**
 * Starts encrypting one file under K (generateAttachmentKey: random, used for this file only). The
 * message that shares the file carries K, the size and the digest that final() returns.
 */
export async function createAttachmentEncryptor(env: CryptoEnv, key: Uint8Array, chunks: ChunkCryptos = serialChunkCrypto(env)): Promise<AttachmentEncryptor> {
  const { chunkKey, commitment } = await deriveAttachmentKeys(env, key);
  const header = encodeAttachmentHeader(commitment);
  const digest = await AttachmentDigest.start(env, header);
  return new Encryptor(await chunks({ chunkKey, aad: chunkAad(header) }), header, digest);
}

class Decryptor extends Pipeline implements AttachmentDecryptor {
  private readonly queue = new ByteQueue();
  private index = 0;
  private plainSize = 0;
  private opened = false;

  constructor(
    chunks: ChunkCrypto,
    private readonly commitment: Uint8Array,
    private readonly expected: { readonly plainSize: number; readonly digest: Uint8Array },
    digest: AttachmentDigest,
  ) {
    super(chunks, digest);
  }

  push(cipher: Uint8Array): Promise<Uint8Array[]> {
    return this.run(async () => {
      this.queue.push(cipher);
      if (!this.openHeader()) return [];
      // A whole chunk followed by at least one more byte is not the final one; the last chunk is held
      // back until finish(), since only the end of the stream says which chunk is final.
      const out: Uint8Array[] = [];
      while (this.queue.length > FULL_CHUNK_CIPHERTEXT_BYTES) {
        this.open(this.takeChunk(this.queue, FULL_CHUNK_CIPHERTEXT_BYTES), false);
        if (this.inFlightCount > this.chunks.window) out.push(...(await this.take(this.chunks.window, this.counted)));
      }
      out.push(...(await this.take(this.chunks.window, this.counted)));
      return out;
    });
  }

  finish(): Promise<Uint8Array[]> {
    return this.run(async () => {
      if (!this.openHeader()) return fail("malformed", "attachment blob is truncated inside its header");
      if (this.queue.length < ATTACHMENT_TAG_BYTES) fail("malformed", "attachment blob is truncated: no final chunk");
      const lastIndex = this.index;
      const lastSize = this.queue.length - ATTACHMENT_TAG_BYTES;
      this.open(this.queue.take(this.queue.length), true);
      this.chunks.flush();
      const last = await this.take(0, this.counted);
      if (lastIndex > 0 && lastSize === 0) fail("malformed", "attachment blob ends with an empty chunk after data");
      if (!bytesEqual(await this.finishDigest(), this.expected.digest)) fail("digest_mismatch", "attachment blob differs from the one its message names");
      if (this.plainSize !== this.expected.plainSize) fail("malformed", `attachment holds ${this.plainSize} bytes, its message says ${this.expected.plainSize}`);
      return last.filter((p) => p.length > 0);
    });
  }

  /**
   * Reads the header once its bytes are in, and refuses a blob made for another key before any chunk is
   * opened (the commitment check; AES-GCM alone would let one ciphertext open under two chosen keys).
   * The header's AAD and digest start were fixed from the expected commitment: a header that passes this
   * check is byte for byte the one they were made from (decodeAttachmentHeader is exact).
   */
  private openHeader(): boolean {
    if (this.opened) return true;
    if (this.queue.length < ATTACHMENT_HEADER_BYTES) return false;
    const { commitment } = decodeAttachmentHeader(this.queue.take(ATTACHMENT_HEADER_BYTES));
    if (!bytesEqual(commitment, this.commitment)) fail("commitment_mismatch", "attachment blob was made for another key");
    this.opened = true;
    return true;
  }

  private open(cipher: Uint8Array, final: boolean): void {
    // The final chunk takes the last index there is, so a non-final one cannot have it.
    const limit = final ? MAX_ATTACHMENT_CHUNKS : MAX_ATTACHMENT_CHUNKS - 1;
    if (this.index + 1 > limit) fail("out_of_bounds", "attachment blob is over the 4 GiB format limit");
    const size = cipher.length - ATTACHMENT_TAG_BYTES;
    const opening = this.chunks.open(this.index++, final, cipher);
    this.start(opening.then((r) => (r.bytes.length === size ? r : fail("malformed", "an opened chunk has the wrong size"))));
  }

  private readonly counted = (r: ChunkResult): void => {
    check(r);
    this.plainSize += r.bytes.length;
    if (this.plainSize > this.expected.plainSize) fail("malformed", `attachment holds more than the ${this.expected.plainSize} bytes its message says`);
  };
}

/**
 * Starts decrypting one blob with K, the plaintext size and the ciphertext digest from the attachment
 * message (attachment-content.ts), all three checked: the commitment before any chunk, every chunk as
 * it arrives, the digest and size at finish().
 */
export async function createAttachmentDecryptor(
  env: CryptoEnv,
  p: { key: Uint8Array; plainSize: number; digest: Uint8Array },
  chunks: ChunkCryptos = serialChunkCrypto(env),
): Promise<AttachmentDecryptor> {
  checkPlainSize(p.plainSize);
  if (p.digest.length !== ATTACHMENT_DIGEST_BYTES) fail("malformed", `attachment digest must be ${ATTACHMENT_DIGEST_BYTES} bytes`);
  const { chunkKey, commitment } = await deriveAttachmentKeys(env, p.key);
  const header = encodeAttachmentHeader(commitment);
  const digest = await AttachmentDigest.start(env, header);
  return new Decryptor(await chunks({ chunkKey, aad: chunkAad(header) }), commitment, { plainSize: p.plainSize, digest: p.digest.slice() }, digest);
}
