// Sealed profiles of a test account (docs/PROTOCOL.md "Profile"), for worker and client tests.
import { exportPublic } from "../../protocol/primitives.js";
import { profileKey, sealProfile, type Profile, type ProfileKey } from "../../protocol/profile.js";
import type { TestAccount } from "./account.js";
import { testCrypto } from "./crypto-env.js";

/** The profile key of `account`'s AHK generation 0. */
export async function profileKeyOf(account: TestAccount): Promise<ProfileKey> {
  const history = { historyKey: account.keys.history.privateKey, historyPublic: await exportPublic(testCrypto, account.keys.history.publicKey), generation: 0 };
  return profileKey(testCrypto, history, account.accountId);
}

/** `account`'s profile sealed under its generation-0 profile key. */
export async function sealedProfileOf(account: TestAccount, p: Profile = { name: "Test" }): Promise<Uint8Array> {
  return sealProfile(testCrypto, await profileKeyOf(account), account.accountId, p);
}
