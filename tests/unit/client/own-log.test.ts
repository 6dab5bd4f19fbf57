import { beforeEach, describe, expect, test } from "vitest";
import {
  EntryKind,
  SignerRole,
  cryptoEnvFrom,
  encodeAddDevicePayload,
  encodeRevokePayload,
  exportPublic,
  generateBoxPair,
  generateSigningPair,
  makeEntry,
  sealPreviousHistoryKey,
  toBase64url,
  unwrapSecret,
} from "../../../protocol/index.js";
import { getAccount, getDevice } from "../../../web/src/client/store/db.js";
import { isClientError } from "../../../web/src/client/errors.js";
import { createDeviceKeys } from "../../../web/src/client/identity/keystore.js";
import { checkOwnLog, clearOwnLogAlarm, markDevicesSeen } from "../../../web/src/client/identity/own-log.js";
import { FakeServer, clientOn } from "./helpers.js";

// Client level, against the fake server: the server serves Alice's *own* log forged, shortened, or
// extended with an entry signed by the identity key a revocation retired. Each is a lasting alarm
// (the state sealed-account-banner renders as a warning) and stops sending.
const env = cryptoEnvFrom(globalThis.crypto);

type Client = ReturnType<typeof clientOn>;

async function setUp() {
  const server = new FakeServer();
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  return { server, alice, id };
}

/** An add-device entry at the head of Alice's stored log, signed by `identity` (default: her real AIK). */
async function addDevice(alice: Client, o: { identity?: { privateKey: CryptoKey; publicKey: Uint8Array }; seq?: number; prev?: Uint8Array } = {}) {
  const account = (await getAccount(alice.db))!;
  const device = (await getDevice(alice.db))!;
  const added = await createDeviceKeys(env, Date.now());
  const identity = o.identity ?? { privateKey: account.identityKey, publicKey: account.identityPublic };
  return makeEntry(
    env,
    { kind: EntryKind.addDevice, seq: o.seq ?? account.head.seq + 1, prev: o.prev ?? account.head.hash, createdAt: Date.now(), payload: encodeAddDevicePayload({ deviceSigningKey: added.signingPublic, deviceBoxKey: added.boxPublic }) },
    [
      { role: SignerRole.identity, privateKey: identity.privateKey, publicKey: identity.publicKey },
      { role: SignerRole.device, privateKey: device.signingKey, publicKey: device.signingPublic },
      { role: SignerRole.newDevice, privateKey: added.signingKey, publicKey: added.signingPublic },
    ],
  );
}

async function expectAlarm(alice: Client, id: Parameters<Client["send"]>[0], code: string) {
  const check = await checkOwnLog(alice.ctx);
  expect(check.alarm?.code).toBe(code);
  const err = await alice.send(id, "still there?").catch((e: unknown) => e);
  expect(isClientError(err, "account_log_alarm")).toBe(true);
  // Lasting: a later check with nothing new keeps it.
  expect((await checkOwnLog(alice.ctx)).alarm?.code).toBe(code);
}

beforeEach(() => clearOwnLogAlarm());

describe("one's own device log is held to what this device verified", () => {
  test("an entry the server forged (not signed by the account's identity key) raises the alarm", async () => {
    const { server, alice, id } = await setUp();
    const stranger = await generateSigningPair(env, false);
    const forged = await addDevice(alice, { identity: { privateKey: stranger.privateKey as CryptoKey, publicKey: await exportPublic(env, stranger.publicKey) } });
    const account = (await getAccount(alice.db))!;
    server.replaceLog("alice", [...account.log.map(toBase64url), toBase64url(forged.bytes)]);
    await expectAlarm(alice, id, "unknown_signer");
  });

  test("a log that went backwards raises the alarm (log_conflict)", async () => {
    const { server, alice, id } = await setUp();
    const genesis = (await getAccount(alice.db))!.log.map(toBase64url);
    const added = await addDevice(alice);
    server.replaceLog("alice", [...genesis, toBase64url(added.bytes)]);
    const first = await checkOwnLog(alice.ctx);
    expect(first.alarm).toBeUndefined();
    expect((await getAccount(alice.db))!.head.seq).toBe(1);
    server.replaceLog("alice", genesis);
    await expectAlarm(alice, id, "log_conflict");
  });

  test("an entry signed with the identity key a revocation retired raises the alarm", async () => {
    const { server, alice, id } = await setUp();
    const account = (await getAccount(alice.db))!;
    const device = (await getDevice(alice.db))!;
    // A second device, then its revocation (which rotates the identity and history keys).
    const added = await addDevice(alice);
    const victim = added.entry;
    const { decodeAddDevicePayload, deviceIdOf, entryHash } = await import("../../../protocol/index.js");
    const removed = await deviceIdOf(env, decodeAddDevicePayload(victim.payload).deviceSigningKey);
    const newIdentity = await generateSigningPair(env, false);
    const newHistory = await generateBoxPair(env, false);
    const newHistoryPublic = await exportPublic(env, newHistory.publicKey);
    const previous = await unwrapSecret(env, device.vaultKey, account.historyWrapped, "history", account.accountId, true, 0);
    const sealed = await sealPreviousHistoryKey(env, { accountId: account.accountId, previousGeneration: 0, previousKey: previous, nextGeneration: 1, nextPublic: newHistoryPublic });
    const revoke = await makeEntry(
      env,
      {
        kind: EntryKind.revoke,
        seq: 2,
        prev: await entryHash(env, victim),
        createdAt: Date.now(),
        payload: encodeRevokePayload({ removedDeviceId: removed, newIdentityKey: await exportPublic(env, newIdentity.publicKey), historyGeneration: 1, historyKey: newHistoryPublic, sealedPreviousHistoryKey: sealed }),
      },
      [
        { role: SignerRole.identity, privateKey: account.identityKey, publicKey: account.identityPublic },
        { role: SignerRole.newIdentity, privateKey: newIdentity.privateKey, publicKey: await exportPublic(env, newIdentity.publicKey) },
        { role: SignerRole.device, privateKey: device.signingKey, publicKey: device.signingPublic },
      ],
    );
    const valid = [...account.log.map(toBase64url), toBase64url(added.bytes), toBase64url(revoke.bytes)];
    server.replaceLog("alice", valid);
    expect((await checkOwnLog(alice.ctx)).alarm).toBeUndefined();

    // The removed device (or a server holding the old key) signs with the retired identity key.
    const stale = await addDevice(alice, { seq: 3, prev: await entryHash(env, revoke.entry) });
    server.replaceLog("alice", [...valid, toBase64url(stale.bytes)]);
    await expectAlarm(alice, id, "unknown_signer");
  });

  test("a device added elsewhere is announced once, until the user reviews the device list", async () => {
    const { server, alice } = await setUp();
    expect((await checkOwnLog(alice.ctx)).newDevices).toEqual([]);
    const account = (await getAccount(alice.db))!;
    const added = await addDevice(alice);
    server.replaceLog("alice", [...account.log.map(toBase64url), toBase64url(added.bytes)]);
    expect((await checkOwnLog(alice.ctx)).newDevices).toEqual([1]);
    await markDevicesSeen(alice.ctx);
    expect((await checkOwnLog(alice.ctx)).newDevices).toEqual([]);
  });
});
