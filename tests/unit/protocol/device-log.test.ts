import { describe, expect, it } from "vitest";
import {
  AccountId,
  EntryKind,
  SignerRole,
  assertLogExtends,
  decodeEntry,
  encodeAddDevicePayload,
  exportPublic,
  makeEntry,
  verifyLog,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { addDevice, env, makeAccount, makeDevice } from "./fixtures.js";

describe("device log", () => {
  it("verifies a genesis and derives the account id from it", async () => {
    const a = await makeAccount("alice");
    expect(a.state.username).toBe("alice");
    expect(a.state.devices).toHaveLength(1);
    expect(AccountId.toBytes(a.state.accountId)).toEqual(a.state.head.hash);
    expect(await verifyLog(env, a.log, a.state.accountId)).toMatchObject({ accountId: a.state.accountId });
  });

  it("refuses a genesis with any byte changed", async () => {
    const a = await makeAccount("alice");
    const g = a.log[0]!;
    for (let off = 0; off < g.length; off += 7) {
      const bad = g.slice();
      bad[off]! ^= 0x10;
      const code = await codeOf(() => verifyLog(env, [bad]));
      expect(["bad_signature", "unknown_signer", "malformed", "unsupported_version", "out_of_bounds", "chain_broken"]).toContain(code);
    }
  });

  it("refuses a genesis that hashes to another account id (a server swapping identities)", async () => {
    const a = await makeAccount("alice");
    const impostor = await makeAccount("alice");
    expect(await codeOf(() => verifyLog(env, impostor.log, a.state.accountId))).toBe("identity_mismatch");
  });

  it("accepts an add-device entry co-signed by identity, an active device and the new device", async () => {
    const a = await makeAccount("alice");
    const d = await addDevice(a);
    expect(a.state.devices.map((x) => x.deviceId)).toEqual([a.device.deviceId, d.deviceId]);
    expect(a.state.head.seq).toBe(1);
  });

  it("refuses an entry not signed by the account identity key (forged by the server)", async () => {
    const a = await makeAccount("alice");
    const fake = await makeDevice();
    const serverKey = await makeDevice();
    const { bytes } = await makeEntry(
      env,
      { kind: EntryKind.addDevice, seq: 1, prev: a.state.head.hash, createdAt: 1, payload: encodeAddDevicePayload({ deviceSigningKey: fake.signingPub, deviceBoxKey: fake.boxPub }) },
      [
        { role: SignerRole.identity, privateKey: serverKey.signing.privateKey, publicKey: serverKey.signingPub },
        { role: SignerRole.device, privateKey: a.device.signing.privateKey, publicKey: a.device.signingPub },
        { role: SignerRole.newDevice, privateKey: fake.signing.privateKey, publicKey: fake.signingPub },
      ],
    );
    expect(await codeOf(() => verifyLog(env, [...a.log, bytes]))).toBe("unknown_signer");
  });

  it("refuses entries that do not chain: wrong position, wrong previous hash", async () => {
    const a = await makeAccount("alice");
    const d = await makeDevice();
    const signers = [
      { role: SignerRole.identity, privateKey: a.identity.privateKey, publicKey: await exportPublic(env, a.identity.publicKey) },
      { role: SignerRole.device, privateKey: a.device.signing.privateKey, publicKey: a.device.signingPub },
      { role: SignerRole.newDevice, privateKey: d.signing.privateKey, publicKey: d.signingPub },
    ] as const;
    const payload = encodeAddDevicePayload({ deviceSigningKey: d.signingPub, deviceBoxKey: d.boxPub });
    const skip = await makeEntry(env, { kind: EntryKind.addDevice, seq: 2, prev: a.state.head.hash, createdAt: 1, payload }, signers);
    expect(await codeOf(() => verifyLog(env, [...a.log, skip.bytes]))).toBe("chain_broken");
    const badPrev = await makeEntry(env, { kind: EntryKind.addDevice, seq: 1, prev: new Uint8Array(32), createdAt: 1, payload }, signers);
    expect(await codeOf(() => verifyLog(env, [...a.log, badPrev.bytes]))).toBe("chain_broken");
    const secondGenesis = a.log[0]!;
    expect(await codeOf(() => verifyLog(env, [...a.log, secondGenesis]))).toBe("chain_broken");
  });

  it("raises a conflict when a log goes backwards or forks", async () => {
    const a = await makeAccount("alice");
    const genesisOnly = await verifyLog(env, a.log);
    await addDevice(a);
    const longer = a.state;
    expect(() => assertLogExtends(genesisOnly, longer)).not.toThrow();
    expect(() => assertLogExtends(longer, genesisOnly)).toThrow(/backwards/);
    // A fork: same account, a different entry 1.
    const fork = { ...a, log: a.log.slice(0, 1), state: genesisOnly };
    await addDevice(fork);
    expect(() => assertLogExtends(longer, fork.state)).toThrow(/two different entries/);
  });

  it("decodes every documented field and refuses trailing bytes and unknown kinds", async () => {
    const a = await makeAccount("alice");
    const e = decodeEntry(a.log[0]!);
    expect([e.version, e.kind, e.seq, e.signatures.length]).toEqual([1, 0, 0, 3]);
    expect(await codeOf(() => decodeEntry(new Uint8Array([...a.log[0]!, 0])))).toBe("malformed");
    const unknownKind = a.log[0]!.slice();
    unknownKind[1] = 9;
    expect(await codeOf(() => decodeEntry(unknownKind))).toBe("unsupported_version");
  });
});
