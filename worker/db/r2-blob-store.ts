// The blob store over an R2 bucket (wrangler.toml binds it as FILES). Measured behaviour of the local R2
// (multipart, FixedLengthStream, 5 MiB parts) is in /work/shared/PLATFORM.md "R2".
import type { BlobRange, BlobStore, PartResult } from "../storage/blob-store.js";

export function r2BlobStore(bucket: R2Bucket): BlobStore {
  return {
    async createUpload(key) {
      return (await bucket.createMultipartUpload(key)).uploadId;
    },
    async uploadPart(key, uploadId, part, body, length): Promise<PartResult> {
      // R2 streams a body only when its length is known; a request body may be chunked, so it goes
      // through a FixedLengthStream, which also fails the upload when the bytes are more or fewer than
      // `length`. The bytes are counted on the way, to tell that failure from R2's own.
      let seen = 0;
      const counted = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const fixed = new FixedLengthStream(length);
      const piped = body.pipeThrough(counted).pipeTo(fixed.writable);
      const uploaded = bucket.resumeMultipartUpload(key, uploadId).uploadPart(part, fixed.readable);
      const [, upload] = await Promise.allSettled([piped, uploaded]);
      if (upload.status === "fulfilled") return { kind: "stored", etag: upload.value.etag };
      if (seen !== length) return { kind: "length_mismatch" };
      throw upload.reason;
    },
    async completeUpload(key, uploadId, parts) {
      await bucket.resumeMultipartUpload(key, uploadId).complete(parts.map((p) => ({ partNumber: p.part, etag: p.etag })));
    },
    async abortUpload(key, uploadId) {
      try {
        await bucket.resumeMultipartUpload(key, uploadId).abort();
      } catch (e) {
        // An upload that was already completed or aborted has nothing left to drop.
        console.warn(`abort of upload ${uploadId} for ${key} failed (already gone?)`, e);
      }
    },
    async get(key, range?: BlobRange) {
      const object = await bucket.get(key, range ? { range: { offset: range.offset, length: range.length } } : {});
      return object?.body ?? undefined;
    },
    async delete(key) {
      await bucket.delete(key);
    },
  };
}
