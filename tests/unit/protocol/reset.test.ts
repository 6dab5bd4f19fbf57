import { describe, expect, it } from "vitest";
import {
  EntryKind,
  SignerRole,
  encodeResetPayload,
  exportPublic,
  generateBoxPair,
  generateSigningPair,
  makeEntry,
  openPreviousHistoryKey,
  sealPreviousHistoryKey,
  verifyLog,
  type Signer,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { addDevice, env, makeAccount, makeDevice, revokeDevice, type TestAccount } from "./fixtures.js";

/** Builds a reset entry for `a` by the holder of the recovery key, adding a fresh device. */
async function resetEntry(a: TestAccount, o: { signers?: (s: { recovery: Signer; identity: Signer; device: Signer }) => Signer[]; generation?: number; sameIdentity?: boolean } = {}) {
  const device = await makeDevice();
  const identity = await generateSigningPair(env, true);
  const history = await generateBoxPair(env, true);
  const identityPublic = o.sameIdentity ? await exportPublic(env, a.identity.publicKey) : await exportPublic(env, identity.publicKey);
  const historyPublic = await exportPublic(env, history.publicKey);
  const generation = o.generation ?? a.state.history.generation + 1;
  const sealed = await sealPreviousHistoryKey(env, { accountId: a.state.accountId, previousGeneration: a.state.history.generation, previousKey: a.history.privateKey, nextGeneration: generation, nextPublic: historyPublic });
  const s = {
    recovery: { role: SignerRole.recovery, privateKey: a.recovery.signing.privateKey, publicKey: a.recovery.signing.publicKey },
    identity: { role: SignerRole.newIdentity, privateKey: identity.privateKey, publicKey: identityPublic },
    device: { role: SignerRole.newDevice, privateKey: device.signing.privateKey, publicKey: device.signingPub },
  };
  const { bytes } = await makeEntry(
    env,
    {
      kind: EntryKind.reset,
      seq: a.state.head.seq + 1,
      prev: a.state.head.hash,
      createdAt: 1_700_000_009_000,
      payload: encodeResetPayload({ deviceSigningKey: device.signingPub, deviceBoxKey: device.boxPub, newIdentityKey: identityPublic, historyGeneration: generation, historyKey: historyPublic, sealedPreviousHistoryKey: sealed }),
    },
    o.signers ? o.signers(s) : [s.recovery, s.identity, s.device],
  );
  return { bytes, device, identity, history, historyPublic };
}

describe("reset (the recovery key outranks devices)", () => {
  it("removes every device at once, adds the resetting one, and rotates the identity and history keys", async () => {
    const a = await makeAccount("alice");
    const stolen = await addDevice(a);
    const r = await resetEntry(a);
    const state = await verifyLog(env, [...a.log, r.bytes]);
    expect(state.devices).toHaveLength(1);
    expect(state.devices[0]!.signingKey).toEqual(r.device.signingPub);
    expect(state.removedDevices.map((d) => [d.deviceId, d.removedAtSeq])).toEqual([
      [a.device.deviceId, 2],
      [stolen.deviceId, 2],
    ]);
    expect(state.identityKey).toEqual(await exportPublic(env, r.identity.publicKey));
    expect(state.history.generation).toBe(1);
    // The new history key opens the previous generation, so the whole archive stays readable.
    const gen1 = state.historyChain[1]!;
    const previous = await openPreviousHistoryKey(env, { accountId: state.accountId, previousGeneration: 0, nextGeneration: 1, nextPublic: gen1.publicKey, nextKey: r.history.privateKey, sealed: gen1.sealedPrevious! });
    expect(previous.extractable).toBe(false);
  });

  it("needs no device signature, and is refused with one, or without the recovery key", async () => {
    const a = await makeAccount("alice");
    await addDevice(a);
    const withDevice = await resetEntry(a, { signers: (s) => [s.recovery, s.identity, s.device, { role: SignerRole.device, privateKey: a.device.signing.privateKey, publicKey: a.device.signingPub }] });
    expect(await codeOf(() => verifyLog(env, [...a.log, withDevice.bytes]))).toBe("bad_signature");
    const noRecovery = await resetEntry(a, { signers: (s) => [s.identity, s.device] });
    expect(await codeOf(() => verifyLog(env, [...a.log, noRecovery.bytes]))).toBe("bad_signature");
    // The identity key of a device (the thief's) cannot stand in for the recovery key.
    const byIdentity = await resetEntry(a, { signers: (s) => [{ ...s.recovery, privateKey: a.identity.privateKey, publicKey: a.state.identityKey }, s.identity, s.device] });
    expect(await codeOf(() => verifyLog(env, [...a.log, byIdentity.bytes]))).toBe("unknown_signer");
  });

  it("refuses a reset that keeps the identity key or skips a history generation", async () => {
    const a = await makeAccount("alice");
    expect(await codeOf(async () => verifyLog(env, [...a.log, (await resetEntry(a, { sameIdentity: true })).bytes]))).toBe("malformed");
    expect(await codeOf(async () => verifyLog(env, [...a.log, (await resetEntry(a, { generation: 2 })).bytes]))).toBe("malformed");
  });

  it("leaves the old identity key powerless: the removed devices cannot add one back", async () => {
    const a = await makeAccount("alice");
    const r = await resetEntry(a);
    a.log.push(r.bytes);
    a.state = await verifyLog(env, a.log);
    // A thief with the first device holds the old AIK and that device's key; the log knows neither now.
    await expect(codeOf(() => addDevice(a))).resolves.toBe("unknown_signer");
  });

  it("works after a revoke too (the recovery key of the current log signs)", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    await revokeDevice(a, laptop);
    const r = await resetEntry(a);
    expect((await verifyLog(env, [...a.log, r.bytes])).history.generation).toBe(2);
  });
});
