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

/** The same padding to the smallest of `buckets` (ascending) that fits; `what` names the data in errors. */
export function padToBucket(data: Uint8Array, buckets: readonly number[], what: string): Uint8Array {
  const size = buckets.find((b) => b >= data.length + 1);
  if (size === undefined) fail("out_of_bounds", `${what} too large to pad`);
  const out = new Uint8Array(size);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Undoes padToBucket: refuses a length that is not one of `buckets` and any padding but 0x80 then zeros. */
export function unpadBucket(padded: Uint8Array, buckets: readonly number[], what: string): Uint8Array {
  if (!buckets.includes(padded.length)) fail("malformed", `${what} length is not a bucket size`);
  let i = padded.length - 1;
  while (i >= 0 && padded[i] === 0) i--;
  if (i < 0 || padded[i] !== 0x80) fail("malformed", `bad ${what} padding`);
  return padded.slice(0, i);
}
