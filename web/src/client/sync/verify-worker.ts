/**
 * The signature worker (verify-pool.ts starts one per page): verifies batches of Ed25519 signatures for
 * the receive path, so a history load's verifies run on another core than the page, which meanwhile
 * decrypts and writes (Chromium runs WebCrypto on the calling thread). It holds no secret: public keys,
 * signatures and signed bytes, all of which the server has too.
 */
import { defaultCryptoEnv } from "../env.js";
import { answerBatch } from "./verify-messages.js";

const env = defaultCryptoEnv();
/** Signatures verified so far, read by the end-to-end tests to tell that the worker did the verifying. */
const counter = globalThis as { sealedVerified?: number };
counter.sealedVerified = 0;

addEventListener("message", (e: MessageEvent) => {
  void answerBatch(env, e.data).then((answer) => {
    if (!answer) return;
    counter.sealedVerified = (counter.sealedVerified ?? 0) + answer.results.length;
    postMessage(answer);
  });
});
