import { cryptoEnvFrom, type CryptoEnv, type Key } from "../../../protocol/index.js";

/** The browser's (or Node's) WebCrypto as the protocol's CryptoEnv. */
export function defaultCryptoEnv(): CryptoEnv {
  return cryptoEnvFrom(globalThis.crypto);
}

/**
 * The protocol types keys structurally; the store needs real CryptoKeys (IndexedDB clones them). This
 * narrows with a runtime check instead of a cast.
 */
export function asCryptoKey(key: Key): CryptoKey {
  if (!(key instanceof CryptoKey)) throw new TypeError("expected a WebCrypto CryptoKey");
  return key;
}
