import { describe, expect, it } from "vitest";
import {
  EntryKind,
  SignerRole,
  createEpochBundle,
  directMembershipHead,
  encodeAddDevicePayload,
  encodeRevokePayload,
  exportPublic,
  generateRecoveryKey,
  deriveRecoveryKeys,
  makeEntry,
  makeGenesis,
  openArchivedKey,
  openEpochBundle,
  openPreviousHistoryKey,
  verifyLog,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { addDevice, env, makeAccount, makeDevice, randomConversationId, revokeDevice } from "./fixtures.js";

describe("revoking a device", () => {
  it("removes the device, rotates the identity key and moves history to the next generation", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    const before = a.state;
    await revokeDevice(a, laptop);
    expect(a.state.devices.map((d) => d.deviceId)).toEqual([a.device.deviceId]);
    expect(a.state.removedDevices).toEqual([{ deviceId: laptop.deviceId, removedAtSeq: 2 }]);
    expect(a.state.identityKey).not.toEqual(before.identityKey);
    expect(a.state.history.generation).toBe(1);
    expect(a.state.historyChain.map((h) => h.generation)).toEqual([0, 1]);
  });

  it("lets the newest history key open the previous generation, and so the old archive", async () => {
    const a = await makeAccount("alice");
    const b = await makeAccount("bob");
    const laptop = await addDevice(a);
    const conversationId = randomConversationId();
    const membershipHead = await directMembershipHead(env, a.state.accountId, b.state.accountId);
    const old = await createEpochBundle(env, { conversationId, epoch: 0, creator: { accountId: b.state.accountId, deviceId: b.device.deviceId, signingKey: b.device.signing.privateKey }, membershipHead, members: [a.state, b.state], createdAt: 1 });
    await revokeDevice(a, laptop);
    const gen1 = a.state.historyChain[1]!;
    const gen0 = await openPreviousHistoryKey(env, { accountId: a.state.accountId, previousGeneration: 0, nextGeneration: 1, nextPublic: gen1.publicKey, nextKey: a.history.privateKey, sealed: gen1.sealedPrevious! });
    const ck = await openArchivedKey(env, old.bundle, { accountId: a.state.accountId, generation: 0, historyKey: gen0 });
    expect(ck.extractable).toBe(false);
  });

  it("leaves the removed device out of later epochs: it cannot open them", async () => {
    const a = await makeAccount("alice");
    const b = await makeAccount("bob");
    const laptop = await addDevice(a);
    await revokeDevice(a, laptop);
    const conversationId = randomConversationId();
    const membershipHead = await directMembershipHead(env, a.state.accountId, b.state.accountId);
    const next = await createEpochBundle(env, { conversationId, epoch: 1, creator: { accountId: a.state.accountId, deviceId: a.device.deviceId, signingKey: a.device.signing.privateKey }, membershipHead, members: [a.state, b.state], createdAt: 2 });
    expect(next.bundle.deviceWraps.some((w) => w.deviceId === laptop.deviceId)).toBe(false);
    const members = new Map([
      [a.state.accountId, a.state],
      [b.state.accountId, b.state],
    ]);
    const code = await codeOf(() => openEpochBundle(env, next.bytes, { conversationId, membershipHead, members, me: { accountId: a.state.accountId, deviceId: laptop.deviceId, boxKey: laptop.box.privateKey } }));
    expect(code).toBe("recipient_mismatch");
  });

  it("refuses a revoke co-signed only by the device it removes", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    await expect(codeOf(() => revokeDevice(a, laptop, laptop))).resolves.toBe("unknown_signer");
  });

  it("refuses an entry signed with the old identity key after the rotation (the revoked device trying)", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    const { oldIdentity } = await revokeDevice(a, laptop);
    const intruder = await makeDevice();
    const { bytes } = await makeEntry(
      env,
      { kind: EntryKind.addDevice, seq: a.state.head.seq + 1, prev: a.state.head.hash, createdAt: 9, payload: encodeAddDevicePayload({ deviceSigningKey: intruder.signingPub, deviceBoxKey: intruder.boxPub }) },
      [
        { role: SignerRole.identity, privateKey: oldIdentity.privateKey, publicKey: await exportPublic(env, oldIdentity.publicKey) },
        { role: SignerRole.device, privateKey: laptop.signing.privateKey, publicKey: laptop.signingPub },
        { role: SignerRole.newDevice, privateKey: intruder.signing.privateKey, publicKey: intruder.signingPub },
      ],
    );
    expect(await codeOf(() => verifyLog(env, [...a.log, bytes]))).toBe("unknown_signer");
  });

  it("refuses a revoke that skips a history generation or keeps the identity key", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    const identityPub = await exportPublic(env, a.identity.publicKey);
    const base = { removedDeviceId: laptop.deviceId, newIdentityKey: identityPub, historyGeneration: 1, historyKey: new Uint8Array(32).fill(9), sealedPreviousHistoryKey: new Uint8Array(96) };
    const signers = [
      { role: SignerRole.identity, privateKey: a.identity.privateKey, publicKey: identityPub },
      { role: SignerRole.newIdentity, privateKey: a.identity.privateKey, publicKey: identityPub },
      { role: SignerRole.device, privateKey: a.device.signing.privateKey, publicKey: a.device.signingPub },
    ];
    const same = await makeEntry(env, { kind: EntryKind.revoke, seq: 2, prev: a.state.head.hash, createdAt: 1, payload: encodeRevokePayload(base) }, signers);
    expect(await codeOf(() => verifyLog(env, [...a.log, same.bytes]))).toBe("malformed");
    const skip = await makeEntry(env, { kind: EntryKind.revoke, seq: 2, prev: a.state.head.hash, createdAt: 1, payload: encodeRevokePayload({ ...base, newIdentityKey: new Uint8Array(32).fill(4), historyGeneration: 2 }) }, signers);
    expect(await codeOf(() => verifyLog(env, [...a.log, skip.bytes]))).toBe("malformed");
  });
});

describe("recovering onto a new device", () => {
  it("adds a device authorised by the identity key and the recovery signing key", async () => {
    const rk = generateRecoveryKey(env);
    const recovery = await deriveRecoveryKeys(env, rk);
    const aik = (await env.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as { publicKey: never; privateKey: never };
    const ahk = (await env.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"])) as { publicKey: never };
    const first = await makeDevice();
    const g = await makeGenesis(
      env,
      { username: "carol", identityKey: await exportPublic(env, aik.publicKey), recoverySigningKey: recovery.signing.publicKey, recoveryBoxKey: recovery.box.publicKey, historyGeneration: 0, historyKey: await exportPublic(env, ahk.publicKey), deviceSigningKey: first.signingPub, deviceBoxKey: first.boxPub },
      { identity: aik.privateKey, device: first.signing.privateKey, recovery: recovery.signing.privateKey },
      1,
    );
    const state = await verifyLog(env, [g.bytes]);
    const fresh = await makeDevice();
    const payload = encodeAddDevicePayload({ deviceSigningKey: fresh.signingPub, deviceBoxKey: fresh.boxPub });
    const ok = await makeEntry(env, { kind: EntryKind.recover, seq: 1, prev: state.head.hash, createdAt: 2, payload }, [
      { role: SignerRole.identity, privateKey: aik.privateKey, publicKey: state.identityKey },
      { role: SignerRole.recovery, privateKey: recovery.signing.privateKey, publicKey: recovery.signing.publicKey },
      { role: SignerRole.newDevice, privateKey: fresh.signing.privateKey, publicKey: fresh.signingPub },
    ]);
    expect((await verifyLog(env, [g.bytes, ok.bytes])).devices).toHaveLength(2);
    const other = await deriveRecoveryKeys(env, generateRecoveryKey(env));
    const wrongKey = await makeEntry(env, { kind: EntryKind.recover, seq: 1, prev: state.head.hash, createdAt: 2, payload }, [
      { role: SignerRole.identity, privateKey: aik.privateKey, publicKey: state.identityKey },
      { role: SignerRole.recovery, privateKey: other.signing.privateKey, publicKey: other.signing.publicKey },
      { role: SignerRole.newDevice, privateKey: fresh.signing.privateKey, publicKey: fresh.signingPub },
    ]);
    expect(await codeOf(() => verifyLog(env, [g.bytes, wrongKey.bytes]))).toBe("unknown_signer");
  });
});

describe("rotating the recovery key", () => {
  it("replaces the recovery keys and history generation; the old recovery key no longer matches", async () => {
    const { assertRecoveryMatches, encodeRotateRecoveryPayload, sealPreviousHistoryKey, generateBoxPair } = await import("../../../protocol/index.js");
    const a = await makeAccount("alice");
    const oldRbk = a.state.recoveryBoxKey;
    const next = await deriveRecoveryKeys(env, generateRecoveryKey(env));
    const newHistory = await generateBoxPair(env, true);
    const nextPublic = await exportPublic(env, newHistory.publicKey);
    const sealed = await sealPreviousHistoryKey(env, { accountId: a.state.accountId, previousGeneration: 0, previousKey: a.history.privateKey, nextGeneration: 1, nextPublic });
    const payload = encodeRotateRecoveryPayload({ recoverySigningKey: next.signing.publicKey, recoveryBoxKey: next.box.publicKey, historyGeneration: 1, historyKey: nextPublic, sealedPreviousHistoryKey: sealed });
    const signers = [
      { role: SignerRole.identity, privateKey: a.identity.privateKey, publicKey: await exportPublic(env, a.identity.publicKey) },
      { role: SignerRole.device, privateKey: a.device.signing.privateKey, publicKey: a.device.signingPub },
      { role: SignerRole.newRecovery, privateKey: next.signing.privateKey, publicKey: next.signing.publicKey },
    ];
    const { bytes } = await makeEntry(env, { kind: EntryKind.rotateRecovery, seq: 1, prev: a.state.head.hash, createdAt: 3, payload }, signers);
    const state = await verifyLog(env, [...a.log, bytes]);
    expect(state.recoveryBoxKey).toEqual(next.box.publicKey);
    expect(state.history.generation).toBe(1);
    const blobHeader = { accountId: a.state.accountId, counter: 2, ephemeralKey: new Uint8Array(32) };
    expect(() => assertRecoveryMatches(state, blobHeader, next.box.publicKey)).not.toThrow();
    expect(await codeOf(() => assertRecoveryMatches(state, blobHeader, oldRbk))).toBe("identity_mismatch");
    // Without the new recovery key's own signature the rotation is refused.
    const unsignedByNew = await makeEntry(env, { kind: EntryKind.rotateRecovery, seq: 1, prev: a.state.head.hash, createdAt: 3, payload }, [signers[0]!, signers[1]!, { ...signers[2]!, privateKey: a.device.signing.privateKey }]);
    expect(await codeOf(() => verifyLog(env, [...a.log, unsignedByNew.bytes]))).toBe("bad_signature");
  });
});
