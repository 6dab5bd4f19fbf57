import { cryptoEnvFrom } from "../protocol/subtle.js";

/** workerd's WebCrypto as the protocol's CryptoEnv. The worker only verifies and hashes with it. */
export const cryptoEnv = cryptoEnvFrom(crypto);
