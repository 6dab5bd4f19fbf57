import { argon2id as hashWasmArgon2id } from "hash-wasm";
import type { Argon2id } from "../../../../protocol/index.js";

/**
 * The protocol's Argon2id (docs/PROTOCOL.md "Passphrase") run in the page by hash-wasm (WebAssembly).
 * 64 MiB, t=3 takes a few hundred milliseconds on a desktop (PLATFORM.md), seconds on a slow phone.
 * Loaded on demand so the WASM only ships to users who set or use a passphrase.
 */
export const argon2id: Argon2id = (p) =>
  hashWasmArgon2id({ password: p.password, salt: p.salt, memorySize: p.memoryKiB, iterations: p.iterations, parallelism: p.parallelism, hashLength: p.length, outputType: "binary" });
