// Figure 6: the passphrase unlock's key derivation, as the app runs it (protocol/passphrase.ts
// derivePassphraseKeys with the app's hash-wasm Argon2id, web/src/client/recovery/argon2.ts) at the parameters the
// app chooses for a new passphrase (KDF_DEFAULTS). Runs in a Chromium page (bench/src/page/entry.ts).
import { ACCOUNT_ID_BYTES, AccountId } from "../../../protocol/ids.js";
import { KDF_DEFAULTS, KDF_SALT_BYTES, derivePassphraseKeys, type Argon2id } from "../../../protocol/passphrase.js";
import type { CryptoEnv } from "../../../protocol/subtle.js";

export interface UnlockParams {
  /** Timed derivations after the first one. */
  readonly runs: number;
}

export interface UnlockSamples {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** The first derivation in a fresh page: includes compiling hash-wasm's WebAssembly, as a user's one unlock does. */
  readonly firstMs: number;
  /** Each later derivation, ms. */
  readonly runsMs: number[];
}

export async function timeUnlock(env: CryptoEnv, argon2id: Argon2id, p: UnlockParams): Promise<UnlockSamples> {
  const accountId = AccountId.fromBytes(env.randomBytes(ACCOUNT_ID_BYTES));
  const once = async () => {
    const params = { ...KDF_DEFAULTS, salt: env.randomBytes(KDF_SALT_BYTES) };
    const t0 = performance.now();
    await derivePassphraseKeys(env, argon2id, "correct horse battery staple orbit lantern", accountId, params);
    return performance.now() - t0;
  };
  const firstMs = await once();
  const runsMs: number[] = [];
  for (let i = 0; i < p.runs; i++) runsMs.push(await once());
  return { ...KDF_DEFAULTS, firstMs, runsMs };
}
