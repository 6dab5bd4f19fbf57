/**
 * An attachment chunk worker (chunk-pool.ts starts one per core, at most four): answers { ping } with
 * { ready }, and each { port, key, aad } message hands it one blob's port, which it serves until the
 * stream closes it (chunk-port.ts). It holds a blob's non-extractable chunk key only while that blob
 * streams.
 */
import { defaultCryptoEnv } from "../env.js";
import { onWorkerMessage } from "./chunk-port.js";

const env = defaultCryptoEnv();

addEventListener("message", (e: MessageEvent) => onWorkerMessage(env, e.data, (m) => postMessage(m)));
