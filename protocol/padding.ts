import { fail } from "./errors.js";

/**
 * ISO/IEC 7816-4 padding (0x80 then zeros) to the smallest bucket that fits, so ciphertext length
 * reveals only the bucket. Buckets double from 256 bytes to 64 KiB.
 */
export const PAD_BUCKETS = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536] as const;
export const MAX_PADDED_BYTES = 65536;

export function pad(data: Uint8Array): Uint8Array {
  return padToBucket(data, PAD_BUCKETS, "message");
}

export function unpad(padded: Uint8Array): Uint8Array {
  return unpadBucket(padded, PAD_BUCKETS, "message");
}

/**
 * pad(data) written into the array `alloc` returns for the bucket size, which must be zeroed: lets a
 * caller put the padded body inside a larger buffer it already needs (envelope.ts).
 */
export function padInto(data: Uint8Array, alloc: (size: number) => Uint8Array): Uint8Array {
  const out = alloc(paddedSize(data.length));
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** The message bucket `length` bytes of data pad into (out_of_bounds past the largest). */
export function paddedSize(length: number): number {
  return bucketFor(length, PAD_BUCKETS, "message");
}

function bucketFor(length: number, buckets: readonly number[], what: string): number {
  const size = buckets.find((b) => b >= length + 1);
  if (size === undefined) fail("out_of_bounds", `${what} too large to pad`);
  return size;
}

/** The same padding to the smallest of `buckets` (ascending) that fits; `what` names the data in errors. */
export function padToBucket(data: Uint8Array, buckets: readonly number[], what: string): Uint8Array {
  const out = new Uint8Array(bucketFor(data.length, buckets, what));
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Undoes padToBucket: refuses a length that is not one of `buckets` and any padding but 0x80 then zeros. */
export function unpadBucket(padded: Uint8Array, buckets: readonly number[], what: string): Uint8Array {
  return padded.slice(0, unpaddedLength(padded, buckets, what));
}

/** unpad as a view of `padded`, not a copy: for a caller that owns `padded` and decodes at once. */
export function unpadView(padded: Uint8Array): Uint8Array {
  return padded.subarray(0, unpaddedLength(padded, PAD_BUCKETS, "message"));
}

function unpaddedLength(padded: Uint8Array, buckets: readonly number[], what: string): number {
  if (!buckets.includes(padded.length)) fail("malformed", `${what} length is not a bucket size`);
  let i = padded.length - 1;
  while (i >= 0 && padded[i] === 0) i--;
  if (i < 0 || padded[i] !== 0x80) fail("malformed", `bad ${what} padding`);
  return i;
}
