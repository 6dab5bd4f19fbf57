/**
 * The slice of WebCrypto the protocol uses, typed structurally so protocol/ compiles without DOM or
 * Workers types. Chromium's, Node's and workerd's `crypto.subtle` all satisfy it.
 */
export interface Key {
  readonly type: string;
  readonly extractable: boolean;
  readonly algorithm: { readonly name: string };
  readonly usages: readonly string[];
}

export interface KeyPair {
  readonly publicKey: Key;
  readonly privateKey: Key;
}

export type Algorithm = { name: string; [param: string]: unknown };
export type Bytes = Uint8Array;

export interface Subtle {
  generateKey(algorithm: Algorithm, extractable: boolean, usages: string[]): Promise<unknown>;
  importKey(format: string, keyData: unknown, algorithm: Algorithm, extractable: boolean, usages: string[]): Promise<Key>;
  exportKey(format: string, key: Key): Promise<unknown>;
  sign(algorithm: Algorithm, key: Key, data: Bytes): Promise<ArrayBuffer>;
  verify(algorithm: Algorithm, key: Key, signature: Bytes, data: Bytes): Promise<boolean>;
  digest(algorithm: string | Algorithm, data: Bytes): Promise<ArrayBuffer>;
  encrypt(algorithm: Algorithm, key: Key, data: Bytes): Promise<ArrayBuffer>;
  decrypt(algorithm: Algorithm, key: Key, data: Bytes): Promise<ArrayBuffer>;
  deriveBits(algorithm: Algorithm, key: Key, length: number): Promise<ArrayBuffer>;
  wrapKey(format: string, key: Key, wrappingKey: Key, algorithm: Algorithm): Promise<ArrayBuffer>;
  unwrapKey(
    format: string,
    wrapped: Bytes,
    unwrappingKey: Key,
    unwrapAlgorithm: Algorithm,
    keyAlgorithm: Algorithm,
    extractable: boolean,
    usages: string[],
  ): Promise<Key>;
}

/** Everything the protocol needs from its host: WebCrypto and a CSPRNG (injectable for test vectors). */
export interface CryptoEnv {
  readonly subtle: Subtle;
  randomBytes(length: number): Uint8Array;
}

/** Requests of at most this many bytes are served from a pool filled by one getRandomValues call. */
const POOLED_MAX = 64;
const POOL_BYTES = 4096;

/**
 * Adapts a host's WebCrypto (`globalThis.crypto`) to a CryptoEnv. Small random values (IVs, ids, seeds)
 * come from a pool that one getRandomValues call fills with POOL_BYTES: in Chromium every call costs
 * about 2.5 µs whatever its size, a tenth of a message's whole crypto (issue 23). The bytes are the same
 * CSPRNG's; each is handed out once and zeroed in the pool as it is taken.
 */
export function cryptoEnvFrom(webCrypto: { subtle: unknown; getRandomValues(array: Uint8Array): Uint8Array }): CryptoEnv {
  const pool = new Uint8Array(POOL_BYTES);
  let used = POOL_BYTES;
  return {
    subtle: webCrypto.subtle as Subtle,
    randomBytes(length: number): Uint8Array {
      if (length <= POOLED_MAX) {
        if (used + length > POOL_BYTES) {
          webCrypto.getRandomValues(pool);
          used = 0;
        }
        const out = pool.slice(used, used + length);
        pool.fill(0, used, (used += length));
        return out;
      }
      const out = new Uint8Array(length);
      // getRandomValues is limited to 65536 bytes per call.
      for (let off = 0; off < length; off += 65536) webCrypto.getRandomValues(out.subarray(off, Math.min(length, off + 65536)));
      return out;
    },
  };
}
