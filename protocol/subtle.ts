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

/** Adapts a host's WebCrypto (`globalThis.crypto`) to a CryptoEnv. */
export function cryptoEnvFrom(webCrypto: { subtle: unknown; getRandomValues(array: Uint8Array): Uint8Array }): CryptoEnv {
  return {
    subtle: webCrypto.subtle as Subtle,
    randomBytes(length: number): Uint8Array {
      const out = new Uint8Array(length);
      // getRandomValues is limited to 65536 bytes per call.
      for (let off = 0; off < length; off += 65536) webCrypto.getRandomValues(out.subarray(off, Math.min(length, off + 65536)));
      return out;
    },
  };
}
