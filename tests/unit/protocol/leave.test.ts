import { describe, expect, it } from "vitest";
import { EntryKind, SignerRole, decodeLeavePayload, encodeLeavePayload, exportPublic, makeEntry, verifyLog, type Signer } from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { addDevice, env, makeAccount, type TestAccount, type TestDevice } from "./fixtures.js";

/** A leave entry (kind 6) at the head of `a`'s log naming `leaving`, signed by `signers` (default: the AIK and `leaving` itself). */
async function leaveEntry(a: TestAccount, leaving: TestDevice, signers?: Signer[]): Promise<Uint8Array> {
  const identity: Signer = { role: SignerRole.identity, privateKey: a.identity.privateKey, publicKey: await exportPublic(env, a.identity.publicKey) };
  const own: Signer = { role: SignerRole.device, privateKey: leaving.signing.privateKey, publicKey: leaving.signingPub };
  const { bytes } = await makeEntry(
    env,
    { kind: EntryKind.leave, seq: a.state.head.seq + 1, prev: a.state.head.hash, createdAt: 5, payload: encodeLeavePayload({ leavingDeviceId: leaving.deviceId }) },
    signers ?? [identity, own],
  );
  return bytes;
}

describe("a device signing itself out (leave, kind 6)", () => {
  it("removes the signing device and keeps the account keys", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    const state = await verifyLog(env, [...a.log, await leaveEntry(a, laptop)]);
    expect(state.devices.map((d) => d.deviceId)).toEqual([a.device.deviceId]);
    expect(state.removedDevices).toEqual([{ deviceId: laptop.deviceId, removedAtSeq: 2 }]);
    expect(state.identityKey).toEqual(a.state.identityKey);
    expect(state.history).toEqual(a.state.history);
  });

  it("payload is exactly the 16-byte device id", async () => {
    const a = await makeAccount("alice");
    const bytes = encodeLeavePayload({ leavingDeviceId: a.device.deviceId });
    expect(bytes.length).toBe(16);
    expect(decodeLeavePayload(bytes).leavingDeviceId).toBe(a.device.deviceId);
    expect(await codeOf(() => decodeLeavePayload(new Uint8Array(17)))).toBe("malformed");
  });

  it("refuses a leave naming another device than its signer: no device removes another this way", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    const identity: Signer = { role: SignerRole.identity, privateKey: a.identity.privateKey, publicKey: await exportPublic(env, a.identity.publicKey) };
    const phone: Signer = { role: SignerRole.device, privateKey: a.device.signing.privateKey, publicKey: a.device.signingPub };
    const entry = await leaveEntry(a, laptop, [identity, phone]);
    expect(await codeOf(() => verifyLog(env, [...a.log, entry]))).toBe("unknown_signer");
  });

  it("refuses a leave without the identity key's signature", async () => {
    const a = await makeAccount("alice");
    const laptop = await addDevice(a);
    const own: Signer = { role: SignerRole.device, privateKey: laptop.signing.privateKey, publicKey: laptop.signingPub };
    expect(await codeOf(async () => verifyLog(env, [...a.log, await leaveEntry(a, laptop, [own])]))).toBe("bad_signature");
  });

  it("refuses the last device leaving, and a device that already left", async () => {
    const a = await makeAccount("alice");
    const first: TestDevice = { ...a.device };
    expect(await codeOf(async () => verifyLog(env, [...a.log, await leaveEntry(a, first)]))).toBe("malformed");
    const laptop = await addDevice(a);
    a.log.push(await leaveEntry(a, laptop));
    a.state = await verifyLog(env, a.log);
    expect(await codeOf(async () => verifyLog(env, [...a.log, await leaveEntry(a, laptop)]))).toBe("malformed");
  });
});
