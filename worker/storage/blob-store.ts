// The blob store holds attachment ciphertext (issue 18), uploaded in parts and read back as a stream,
// whole or by byte range. It never sees anything but opaque bytes under an attachment's id.
// Today an R2 bucket (worker/db/r2-blob-store.ts).

export interface BlobRange {
  readonly offset: number;
  readonly length: number;
}

export type PartResult = { readonly kind: "stored"; readonly etag: string } | { readonly kind: "length_mismatch" };

export interface BlobStore {
  /** Starts a multipart upload for `key`; its id resumes it later, from any request. */
  createUpload(key: string): Promise<string>;
  /**
   * Streams one part (1-based) of exactly `length` bytes into the upload, never buffering it; a body of
   * another length stores nothing. Uploading a part again replaces it.
   */
  uploadPart(key: string, uploadId: string, part: number, body: ReadableStream<Uint8Array>, length: number): Promise<PartResult>;
  /** Assembles the upload from these parts (every one, in order) into the object `key`. */
  completeUpload(key: string, uploadId: string, parts: readonly { part: number; etag: string }[]): Promise<void>;
  /** Drops an unfinished upload and the parts it holds; one already gone is not an error. */
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** The object's bytes (or a range of them) as a stream, or undefined when there is no such object. */
  get(key: string, range?: BlobRange): Promise<ReadableStream<Uint8Array> | undefined>;
  /** Deletes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
}
