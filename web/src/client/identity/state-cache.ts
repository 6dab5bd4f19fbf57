import { verifyLog, type AccountId, type AccountState, type CryptoEnv } from "../../../../protocol/index.js";

/** Verified account states by (account, log length): each stored log is verified once per session. */
export class StateCache {
  private readonly states = new Map<string, AccountState>();

  async get(env: CryptoEnv, accountId: AccountId, log: readonly Uint8Array[]): Promise<AccountState> {
    const key = `${accountId}:${log.length}`;
    let s = this.states.get(key);
    if (!s) {
      // A stored log only ever grows, so its length identifies its content.
      s = await verifyLog(env, log, accountId);
      this.states.set(key, s);
    }
    return s;
  }
}
