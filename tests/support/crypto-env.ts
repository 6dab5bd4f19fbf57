import { cryptoEnvFrom } from "../../protocol/subtle.js";

/**
 * The host's WebCrypto (Node, workerd or Chromium): fixtures touch nothing else of the runtime. Written
 * as the bare global because Workers types declare it as a const, which `typeof globalThis` lacks.
 */
export const testCrypto = cryptoEnvFrom(crypto);
