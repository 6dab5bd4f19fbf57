/**
 * The attachment digest worker (digest-pool.ts starts one per page): each message hands it one blob's
 * port, which it serves until the blob's digest is done (digest-port.ts). It holds no keys and sees only
 * ciphertext, the same bytes the server stores.
 */
import { defaultCryptoEnv } from "../env.js";
import { fromMessagePort, serveDigest } from "./digest-port.js";

const env = defaultCryptoEnv();

addEventListener("message", (e: MessageEvent) => {
  const port = (e.data as { port?: unknown } | null)?.port;
  if (port instanceof MessagePort) serveDigest(env, fromMessagePort(port));
});
