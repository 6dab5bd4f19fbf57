import { describe, expect, it } from "vitest";
import {
  assertDeviceSecretsMatchLog,
  decodeDeviceSecretsHeader,
  openDeviceSecrets,
  sealDeviceSecrets,
  verifyLog,
  type Key,
  type RecoverySecrets,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { addDevice, env, makeAccount, revokeDevice, type TestAccount, type TestDevice } from "./fixtures.js";

async function pkcs8(key: Key): Promise<Uint8Array> {
  return new Uint8Array((await env.subtle.exportKey("pkcs8", key)) as ArrayBuffer);
}

/** Alice has a phone (genesis), a laptop and a tablet; the phone revokes the laptop. */
async function afterRevoke() {
  const a = await makeAccount("alice");
  const laptop = await addDevice(a);
  const tablet = await addDevice(a);
  const old = await revokeDevice(a, laptop);
  const secrets: RecoverySecrets = { identityKey: await pkcs8(a.identity.privateKey), historyGeneration: a.state.history.generation, historyKey: await pkcs8(a.history.privateKey) };
  return { a, laptop, tablet, old, secrets };
}

function seal(a: TestAccount, to: TestDevice, secrets: RecoverySecrets, head = a.state.head) {
  return sealDeviceSecrets(env, { accountId: a.state.accountId, headSeq: head.seq, headHash: head.hash, senderDeviceId: a.device.deviceId, recipientDeviceId: to.deviceId, recipientBoxKey: to.boxPub, secrets });
}

const recipient = (d: TestDevice) => ({ deviceId: d.deviceId, boxKey: d.box.privateKey, boxPublic: d.boxPub });

describe("device-secrets package", () => {
  it("carries the rotated secrets to a remaining device, which checks them against its log", async () => {
    const { a, tablet, secrets } = await afterRevoke();
    const sealed = await seal(a, tablet, secrets);
    const opened = await openDeviceSecrets(env, sealed, recipient(tablet));
    expect(opened.secrets.historyGeneration).toBe(1);
    expect(opened.secrets.identityKey).toEqual(secrets.identityKey);
    await assertDeviceSecretsMatchLog(env, opened, a.state);
  });

  it("opens for nobody else: the revoked device, or a device it names falsely", async () => {
    const { a, laptop, tablet, secrets } = await afterRevoke();
    const sealed = await seal(a, tablet, secrets);
    expect(await codeOf(() => openDeviceSecrets(env, sealed, recipient(laptop)))).toBe("wrong_context");
    // The laptop rewrites the recipient id to its own: the AAD no longer matches.
    const h = decodeDeviceSecretsHeader(sealed);
    const forged = sealed.slice();
    forged.set(Buffer.from(laptop.deviceId, "base64url"), 1 + 32 + 4 + 32 + 16);
    expect(decodeDeviceSecretsHeader(forged).recipientDeviceId).toBe(laptop.deviceId);
    expect(h.recipientDeviceId).toBe(tablet.deviceId);
    expect(await codeOf(() => openDeviceSecrets(env, forged, recipient(laptop)))).toBe("decrypt_failed");
  });

  it("is refused when the keys inside are not the ones the log names (a server cannot plant old keys)", async () => {
    const { a, tablet, old } = await afterRevoke();
    const stale: RecoverySecrets = { identityKey: await pkcs8(old.oldIdentity.privateKey), historyGeneration: 1, historyKey: await pkcs8(old.oldHistory.privateKey) };
    const opened = await openDeviceSecrets(env, await seal(a, tablet, stale), recipient(tablet));
    expect(await codeOf(() => assertDeviceSecretsMatchLog(env, opened, a.state))).toBe("identity_mismatch");
  });

  it("is refused when it cites a head the device's log does not have at that position", async () => {
    const { a, tablet, secrets } = await afterRevoke();
    const opened = await openDeviceSecrets(env, await seal(a, tablet, secrets, { seq: a.state.head.seq, hash: new Uint8Array(32).fill(7) }), recipient(tablet));
    expect(await codeOf(() => assertDeviceSecretsMatchLog(env, opened, a.state))).toBe("log_conflict");
    const before = await verifyLog(env, a.log.slice(0, -1));
    const current = await openDeviceSecrets(env, await seal(a, tablet, secrets), recipient(tablet));
    expect(await codeOf(() => assertDeviceSecretsMatchLog(env, current, before))).toBe("log_conflict");
  });

  it("bounds its fields on decode and refuses unknown versions and trailing bytes", async () => {
    const { a, tablet, secrets } = await afterRevoke();
    const sealed = await seal(a, tablet, secrets);
    const v2 = sealed.slice();
    v2[0] = 2;
    expect(await codeOf(() => decodeDeviceSecretsHeader(v2))).toBe("unsupported_version");
    expect(await codeOf(() => decodeDeviceSecretsHeader(Uint8Array.of(...sealed, 0)))).toBe("malformed");
    expect(await codeOf(() => decodeDeviceSecretsHeader(sealed.subarray(0, sealed.length - 1)))).toBe("malformed");
    const flipped = sealed.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(await codeOf(() => openDeviceSecrets(env, flipped, recipient(tablet)))).toBe("decrypt_failed");
  });
});
