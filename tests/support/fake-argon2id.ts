import type { Argon2id } from "../../protocol/passphrase.js";

/**
 * The server never runs Argon2id: it only stores the passphrase blob and compares access-token hashes.
 * So tests that need a valid blob, not a strong one, use this cheap stand-in with the same shape.
 */
export const fakeArgon2id: Argon2id = async (p) => new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array([...p.password, ...p.salt]))).slice(0, p.length);
