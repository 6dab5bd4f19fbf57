// The host's Argon2id for the protocol: hash-wasm (WebAssembly), as the web client uses it.
import { argon2id as hashWasmArgon2id } from "hash-wasm";
import type { Argon2id } from "../../protocol/index.js";

export const argon2id: Argon2id = (p) =>
  hashWasmArgon2id({ password: p.password, salt: p.salt, memorySize: p.memoryKiB, iterations: p.iterations, parallelism: p.parallelism, hashLength: p.length, outputType: "binary" });
