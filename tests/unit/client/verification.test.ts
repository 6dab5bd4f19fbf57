// Issue 21: a contact marked verified (a scanned safety-number code, or by hand) stays verified across
// entries its identity key vouches for (a device added), and loses the mark with a warning when a reset
// replaces the identity key; "Trust again" removes the warning without marking verified.
import { describe, expect, test } from "vitest";
import {
  EntryKind,
  SignerRole,
  cryptoEnvFrom,
  encodeResetPayload,
  encodeVerifyCode,
  exportPublic,
  generateBoxPair,
  generateSigningPair,
  makeEntry,
  makeVerifyCode,
  sealPreviousHistoryKey,
  type AccountId,
  type ConversationId,
} from "../../../protocol/index.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import { getAccount, getContact } from "../../../web/src/client/store/db.js";
import { makeDevice, type AccountLog } from "../../support/device-log.js";
import type { TestAccount } from "../../support/account.js";
import { clientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { postsLog, registerNodeAccount, twoDevices } from "./node-account.js";

const env = cryptoEnvFrom(globalThis.crypto);

/** The holder of `a`'s recovery key resets the account on top of `log`: new AIK, one new device. */
async function resets(server: LyingServer, a: TestAccount, log: AccountLog): Promise<void> {
  const device = await makeDevice();
  const identity = await generateSigningPair(env, true);
  const history = await generateBoxPair(env, true);
  const identityPublic = await exportPublic(env, identity.publicKey);
  const historyPublic = await exportPublic(env, history.publicKey);
  const generation = log.state.history.generation + 1;
  const sealed = await sealPreviousHistoryKey(env, { accountId: a.accountId, previousGeneration: log.state.history.generation, previousKey: log.history.privateKey, nextGeneration: generation, nextPublic: historyPublic });
  const { bytes } = await makeEntry(
    env,
    {
      kind: EntryKind.reset,
      seq: log.state.head.seq + 1,
      prev: log.state.head.hash,
      createdAt: Date.now(),
      payload: encodeResetPayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic, newIdentityKey: identityPublic, historyGeneration: generation, historyKey: historyPublic, sealedPreviousHistoryKey: sealed }),
    },
    [
      { role: SignerRole.recovery, privateKey: a.keys.recovery.signing.privateKey, publicKey: a.keys.recovery.signing.publicKey },
      { role: SignerRole.newIdentity, privateKey: identity.privateKey, publicKey: identityPublic },
      { role: SignerRole.newDevice, privateKey: device.signing.privateKey, publicKey: device.signingPublic },
    ],
  );
  postsLog(server, a, [...log.entries, bytes]);
}

async function setUp() {
  const server = new LyingServer();
  const bob = await registerNodeAccount(server, "bob");
  const alice = clientOn(server);
  await alice.signUp(`alice${Date.now() % 100000}`);
  const id = await alice.startChat(bob.username);
  const me = (await getAccount(alice.ctx.db))!.accountId;
  return { server, bob, alice, id, me };
}

async function contactOf(alice: ChatClient, bob: AccountId) {
  return (await getContact(alice.ctx.db, bob))!;
}

async function codeFrom(owner: AccountId, peer: AccountId): Promise<string> {
  return encodeVerifyCode(await makeVerifyCode(env, owner, peer));
}

describe("contact verification", () => {
  test("a scanned code marks verified; a device added keeps it; a reset clears it with a warning; trust again acknowledges", async () => {
    const { server, bob, alice, id, me } = await setUp();
    expect((await contactOf(alice, bob.accountId)).verified).toBeUndefined();

    expect(await alice.verification.scan(bob.accountId, await codeFrom(bob.accountId, me))).toBe("match");
    const verified = await contactOf(alice, bob.accountId);
    expect(verified.verified?.identityKey).toEqual(bob.state.identityKey);
    expect(verified.verified?.seq).toBe(0);

    // Bob links a second device: signed by his identity key, so the mark stays.
    const { withA2 } = await twoDevices(server, bob);
    await alice.openConversation(id as ConversationId);
    const afterAdd = await contactOf(alice, bob.accountId);
    expect(afterAdd.head.seq).toBe(1);
    expect(afterAdd.verified).toBeDefined();
    expect(afterAdd.keyChanged).toBeUndefined();

    // Bob's account is reset with the recovery key: a new identity key nobody vouched for.
    await resets(server, bob, withA2);
    await alice.openConversation(id as ConversationId);
    const afterReset = await contactOf(alice, bob.accountId);
    expect(afterReset.head.seq).toBe(2);
    expect(afterReset.status).toBe("verified");
    expect(afterReset.verified).toBeUndefined();
    expect(afterReset.keyChanged?.seq).toBe(2);

    await alice.verification.trustAgain(bob.accountId);
    const trusted = await contactOf(alice, bob.accountId);
    expect(trusted.keyChanged).toBeUndefined();
    expect(trusted.verified).toBeUndefined();

    // Verifying again stores the new identity key.
    expect(await alice.verification.scan(bob.accountId, await codeFrom(bob.accountId, me))).toBe("match");
    expect((await contactOf(alice, bob.accountId)).verified?.identityKey).not.toEqual(bob.state.identityKey);
  });

  test("a code of someone else, one's own code, or a code between others stores nothing", async () => {
    const { server, bob, alice, me } = await setUp();
    const carol = await registerNodeAccount(server, "carol");
    expect(await alice.verification.scan(bob.accountId, await codeFrom(carol.accountId, me))).toBe("mismatch");
    expect(await alice.verification.scan(bob.accountId, await codeFrom(me, bob.accountId))).toBe("own");
    expect(await alice.verification.scan(bob.accountId, await codeFrom(bob.accountId, carol.accountId))).toBe("other");
    await expect(alice.verification.scan(bob.accountId, "sealed-link:AAAA")).rejects.toThrow(/not a Sealed verification code/);
    expect((await contactOf(alice, bob.accountId)).verified).toBeUndefined();
  });

  test("marking by hand and clearing", async () => {
    const { bob, alice } = await setUp();
    await alice.verification.mark(bob.accountId);
    expect((await contactOf(alice, bob.accountId)).verified?.identityKey).toEqual(bob.state.identityKey);
    await alice.verification.clear(bob.accountId);
    expect((await contactOf(alice, bob.accountId)).verified).toBeUndefined();
  });
});
