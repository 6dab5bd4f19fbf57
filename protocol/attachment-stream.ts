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
 * Where an encryptor or decryptor sends the blob's chunks for the ciphertext digest (docs/PROTOCOL.md
 * "Attachment", digest). The serial one (serialDigests) hashes on the calling thread; a host may instead
 * compute the same chain elsewhere (the web client hashes in a dedicated Worker, on the second core,
 * while the AES-GCM runs on the calling thread: web/src/client/attachments/digest-port.ts).
 *
 * add() is given each chunk exactly once, in blob order, as stored (ciphertext and tag), and takes
 * ownership of it: it may move the bytes elsewhere (transfer a chunk's buffer to a worker) and hands
 * them back, the same bytes in the same order, once hashed: from this add() or a later one, or from
 * finish(). It may resolve before chunks are hashed (only as back-pressure: it must not let unhashed
 * chunks pile up without bound). finish() resolves with the digest of everything added and the chunks
 * still held; after it, or after any failure, the sink is done.
 */
export interface DigestSink {
  add(chunks: readonly Uint8Array[]): Promise<Uint8Array[]>;
  finish(): Promise<{ digest: Uint8Array; chunks: Uint8Array[] }>;
  /** Gives up (the stream failed): frees what the sink holds. Never throws. */
  abandon(): void;
}

/** Starts one blob's digest sink from its header (the chain's first step). */
export type DigestSinks = (header: Uint8Array) => Promise<DigestSink>;

/** The digest computed on the calling thread with the env's WebCrypto (AttachmentDigest). */
export function serialDigests(env: CryptoEnv): DigestSinks {
  return async (header) => {
    const digest = await AttachmentDigest.start(env, header);
    return {
      add: async (chunks) => {
        await digest.add(chunks);
        return [...chunks];
      },
      finish: async () => ({ digest: digest.value, chunks: [] }),
      abandon: () => {},
    };
  };
}

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

  /** Called once, on the first failure: frees what the object holds (its digest sink). */
  protected abstract release(): void;

  protected async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.failure !== undefined) throw this.failure;
    if (this.busy) throw new Error("attachment stream: a call was made before the previous one resolved");
    if (this.done) throw new Error("attachment stream: already finished");
    this.busy = true;
    try {
      return await work();
    } catch (err) {
      this.failure = err;
      this.release();
      throw err;
    } finally {
      this.busy = false;
    }
  }
}

class Encryptor extends Guarded implements AttachmentEncryptor {
  private readonly queue = new ByteQueue();
  private headerSent = false;
  private index = 0;
  private plainSize = 0;

  constructor(
    private readonly env: CryptoEnv,
    private readonly chunkKey: Key,
    private readonly header: Uint8Array,
    private readonly aad: Uint8Array,
    private readonly digest: DigestSink,
  ) {
    super();
  }

  protected release(): void {
    this.digest.abandon();
  }

  push(plain: Uint8Array): Promise<Uint8Array[]> {
    return this.run(async () => {
      this.accept(plain);
      const head = this.headerOut();
      return [...head, ...(await this.seal(this.fullChunks(), false))];
    });
  }

  final(plain: Uint8Array = new Uint8Array(0)): Promise<SealedAttachment> {
    return this.run(async () => {
      this.accept(plain);
      const head = this.headerOut();
      const middle = await this.seal(this.fullChunks(), false);
      const last = await this.seal([this.queue.take(this.queue.length)], true);
      const { digest, chunks: rest } = await this.digest.finish();
      this.done = true;
      return { ciphertext: [...head, ...middle, ...last, ...rest], plainSize: this.plainSize, digest };
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

  /**
   * Seals plaintext chunks with consecutive indices, in parallel, and adds them to the digest in order;
   * returns the sealed chunks the digest has handed back so far (earlier ones first).
   */
  private async seal(chunks: Uint8Array[], final: boolean): Promise<Uint8Array[]> {
    const first = this.index;
    if (first + chunks.length > MAX_ATTACHMENT_CHUNKS) fail("out_of_bounds", "attachment has too many chunks");
    this.index += chunks.length;
    const sealed = await Promise.all(chunks.map((c, i) => aesGcmEncrypt(this.env, this.chunkKey, chunkNonce(first + i, final), this.aad, c)));
    return this.digest.add(sealed);
  }
}

/**
 * Starts encrypting one file under K (generateAttachmentKey: random, used for this file only). The
 * message that shares the file carries K, the size and the digest that final() returns.
 */
export async function createAttachmentEncryptor(env: CryptoEnv, key: Uint8Array, digests: DigestSinks = serialDigests(env)): Promise<AttachmentEncryptor> {
  const { chunkKey, commitment } = await deriveAttachmentKeys(env, key);
  const header = encodeAttachmentHeader(commitment);
  return new Encryptor(env, chunkKey, header, chunkAad(header), await digests(header));
}

interface Opened {
  readonly aad: Uint8Array;
  readonly digest: DigestSink;
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
    private readonly digests: DigestSinks,
  ) {
    super();
  }

  protected release(): void {
    this.opened?.digest.abandon();
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
      return this.open(opened, chunks, false);
    });
  }

  finish(): Promise<Uint8Array[]> {
    return this.run(async () => {
      const opened = await this.openHeader();
      if (!opened) return fail("malformed", "attachment blob is truncated inside its header");
      if (this.queue.length < ATTACHMENT_TAG_BYTES) fail("malformed", "attachment blob is truncated: no final chunk");
      const last = await this.open(opened, [this.queue.take(this.queue.length)], true);
      if (!bytesEqual((await opened.digest.finish()).digest, this.expected.digest)) fail("digest_mismatch", "attachment blob differs from the one its message names");
      if (this.plainSize !== this.expected.plainSize) fail("malformed", `attachment holds ${this.plainSize} bytes, its message says ${this.expected.plainSize}`);
      this.done = true;
      return last;
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
    this.opened = { aad: chunkAad(header), digest: await this.digests(header) };
    return this.opened;
  }

  private async open(opened: Opened, chunks: Uint8Array[], final: boolean): Promise<Uint8Array[]> {
    if (chunks.length === 0) return [];
    const first = this.index;
    // The final chunk takes the last index there is, so a non-final one cannot have it.
    const limit = final ? MAX_ATTACHMENT_CHUNKS : MAX_ATTACHMENT_CHUNKS - 1;
    if (first + chunks.length > limit) fail("out_of_bounds", "attachment blob is over the 4 GiB format limit");
    this.index += chunks.length;
    // WebCrypto copies its input when called, so the chunks can go to the digest (which may transfer their
    // buffers elsewhere) once every open has been started; what the digest hands back is not needed here.
    const opening = Promise.all(chunks.map((c, i) => aesGcmDecrypt(this.env, this.chunkKey, chunkNonce(first + i, final), opened.aad, c)));
    const [plain] = await Promise.all([opening, opened.digest.add(chunks)]);
    for (const p of plain) this.plainSize += p.length;
    if (final && first > 0 && plain[0]?.length === 0) fail("malformed", "attachment blob ends with an empty chunk after data");
    if (this.plainSize > this.expected.plainSize) fail("malformed", `attachment holds more than the ${this.expected.plainSize} bytes its message says`);
    return plain.filter((p) => p.length > 0);
  }
}

/**
 * Starts decrypting one blob with K, the plaintext size and the ciphertext digest from the attachment
 * message (attachment-content.ts), all three checked: the commitment before any chunk, every chunk as
 * it arrives, the digest and size at finish().
 */
export async function createAttachmentDecryptor(
  env: CryptoEnv,
  p: { key: Uint8Array; plainSize: number; digest: Uint8Array },
  digests: DigestSinks = serialDigests(env),
): Promise<AttachmentDecryptor> {
  checkPlainSize(p.plainSize);
  if (p.digest.length !== ATTACHMENT_DIGEST_BYTES) fail("malformed", `attachment digest must be ${ATTACHMENT_DIGEST_BYTES} bytes`);
  const { chunkKey, commitment } = await deriveAttachmentKeys(env, p.key);
  return new Decryptor(env, chunkKey, commitment, { plainSize: p.plainSize, digest: p.digest.slice() }, digests);
}
