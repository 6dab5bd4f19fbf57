import { verify, type CryptoEnv } from "../../../../protocol/index.js";

/**
 * The messages between the page and its signature worker (verify-pool.ts, verify-worker.ts), and their
 * checks: each side parses what it receives instead of trusting its shape.
 */

/** One batch of verifications, answered in one VerifyAnswer with a result per request, in order. */
export interface VerifyBatch {
  readonly id: number;
  readonly requests: readonly { readonly key: Uint8Array; readonly signature: Uint8Array; readonly data: Uint8Array }[];
}

export interface VerifyAnswer {
  readonly batch: number;
  readonly results: readonly boolean[];
}

/** At most this many requests per batch, and this many bytes signed per request (an envelope is at most 70 KB). */
export const MAX_BATCH = 4096;
export const MAX_SIGNED_BYTES = 128 * 1024;

const isBytes = (v: unknown, max: number): v is Uint8Array => v instanceof Uint8Array && v.length <= max;

/** A batch as the worker receives it; a request of the wrong shape is kept as not ok (answered false). */
export function parseVerifyBatch(data: unknown): { id: number; requests: ({ ok: true; key: Uint8Array; signature: Uint8Array; data: Uint8Array } | { ok: false })[] } | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { id, requests } = data as { id?: unknown; requests?: unknown };
  if (!Number.isSafeInteger(id) || !Array.isArray(requests) || requests.length > MAX_BATCH) return undefined;
  return {
    id: id as number,
    requests: requests.map((r: unknown) => {
      const { key, signature, data: signed } = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
      return isBytes(key, 32) && isBytes(signature, 64) && isBytes(signed, MAX_SIGNED_BYTES) ? { ok: true as const, key, signature, data: signed } : { ok: false as const };
    }),
  };
}

/** An answer as the page receives it, for a batch of `expected` requests; undefined when malformed. */
export function parseVerifyAnswer(data: unknown, expected: (batch: number) => number | undefined): VerifyAnswer | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { batch, results } = data as { batch?: unknown; results?: unknown };
  if (!Number.isSafeInteger(batch) || !Array.isArray(results)) return undefined;
  const n = expected(batch as number);
  if (n === undefined || results.length !== n || !results.every((r) => typeof r === "boolean")) return undefined;
  return { batch: batch as number, results: results as boolean[] };
}

/**
 * The worker's answer to a batch: each well-formed request verified (protocol verify: false for a bad key
 * or signature, never a throw), a malformed one answered false; undefined for a message that is no batch.
 */
export async function answerBatch(env: CryptoEnv, data: unknown): Promise<VerifyAnswer | undefined> {
  const batch = parseVerifyBatch(data);
  if (!batch) return undefined;
  const results = await Promise.all(batch.requests.map((r) => (r.ok ? verify(env, r.key, r.signature, r.data) : false)));
  return { batch: batch.id, results };
}
