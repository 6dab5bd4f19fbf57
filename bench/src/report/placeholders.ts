/** Figures of the issue that the landed features cannot produce yet, listed so they are not forgotten. */
export interface Placeholder {
  readonly figure: string;
  /** The missing feature in a few words, for the summary table. */
  readonly short: string;
  readonly needs: string;
  readonly plan: string;
}

export const placeholders: readonly Placeholder[] = [
  {
    figure: "2. Opening a 10,000-message conversation (time until the newest messages are shown and scrollable)",
    short: "a paged history view and a 10,000-message fixture",
    needs: "a paged history view in the client (reading the local store a window at a time) and a fixture that seeds a signed-in browser profile with 10,000 stored messages",
    plan: "seed the server through the API (as bench/src/benchmarks/latency.ts posts), sync once, then time a cold open of the conversation in Chromium to the first rendered page of messages.",
  },
  {
    figure: "3. Linking a new device, or restoring with the recovery key, until 10,000 messages are readable",
    short: "linking and restore flows, and a fixture to drive them",
    needs: "device linking (QR) and recovery-key restore to land in the web client (they were being built while this suite was written), and a bench fixture that drives them in two Chromium profiles",
    plan: "seed 10,000 messages, link (or restore) a fresh Chromium profile, and time until the archive keys are opened and every message has been fetched and decrypted.",
  },
  {
    figure: "6. Unlocking with a passphrase (Argon2id, ≥ 64 MiB, t ≥ 3)",
    short: "the passphrase unlock, and a hook to time it",
    needs: "the passphrase protection of the recovery key (Argon2id via hash-wasm) to land in the client (it was being built while this suite was written), and a way to time the unlock alone in a page",
    plan: "time the unlock in Chromium from submitting the passphrase to the account secrets being usable. For scale, hash-wasm's Argon2id at 64 MiB, t = 3 took about 250-480 ms on a machine like this one.",
  },
  {
    figure: "Growth curves: figures 2 and 3, sync and storage at 1k / 10k / 100k messages",
    short: "figures 2 and 3 and bulk seeding",
    needs: "figures 2 and 3 above, and a bulk seeding path: posting one message at a time through the API, 100,000 messages would take minutes of the 15-minute budget on this machine (see the throughput figure in section 4)",
    plan: "seed once per size into a persisted wrangler state kept between runs, then run figures 2 and 3 at each size and report time and bytes against message count.",
  },
];
