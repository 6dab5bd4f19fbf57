import { describe, expect, it } from "vitest";
import {
  AccountId,
  DeviceId,
  Label,
  bundleSigningInput,
  entrySigningInput,
  envelopeSigningInput,
  loginSigningInput,
  sign,
  signLogin,
  verify,
  verifyLogin,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount } from "./fixtures.js";

describe("signature contexts", () => {
  it("gives every signature context its own label", () => {
    const labels = Object.values(Label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("a login signature never verifies as an envelope, log entry or bundle signature, nor the reverse", async () => {
    const a = await makeAccount("alice");
    const nonce = env.randomBytes(32);
    const challenge = { nonce, origin: "http://127.0.0.1:8787", accountId: a.state.accountId, deviceId: a.device.deviceId, expiresAt: 2_000_000_000_000 };
    const loginSig = await signLogin(env, a.device.signing.privateKey, challenge);
    const inputsFromSameBytes = [envelopeSigningInput(nonce, nonce, nonce), entrySigningInput(nonce), bundleSigningInput(nonce), envelopeSigningInput(loginSigningInput(challenge), new Uint8Array(), new Uint8Array())];
    for (const input of inputsFromSameBytes) expect(await verify(env, a.device.signingPub, loginSig, input)).toBe(false);
    for (const input of inputsFromSameBytes) {
      const other = await sign(env, a.device.signing.privateKey, input);
      expect(await codeOf(() => verifyLogin(env, a.device.signingPub, other, challenge, 1_999_999_999_000))).toBe("bad_signature");
    }
  });

  it("refuses to build a login input around a nonce that is not 32 bytes (server-chosen signing bytes)", async () => {
    const a = await makeAccount("alice");
    const envelopeLike = envelopeSigningInput(new Uint8Array(189), new Uint8Array(12), new Uint8Array(272));
    expect(await codeOf(() => loginSigningInput({ nonce: envelopeLike, origin: "http://127.0.0.1:8787", accountId: a.state.accountId, deviceId: a.device.deviceId, expiresAt: 1 }))).toBe("malformed");
  });

  it("verifies a good login and refuses expired, far-future, other-origin and other-device ones", async () => {
    const a = await makeAccount("alice");
    const now = 1_900_000_000_000;
    const c = { nonce: env.randomBytes(32), origin: "http://127.0.0.1:8787", accountId: a.state.accountId, deviceId: a.device.deviceId, expiresAt: now + 60_000 };
    const sig = await signLogin(env, a.device.signing.privateKey, c);
    await expect(verifyLogin(env, a.device.signingPub, sig, c, now)).resolves.toBeUndefined();
    expect(await codeOf(() => verifyLogin(env, a.device.signingPub, sig, c, now + 61_000))).toBe("out_of_bounds");
    expect(await codeOf(() => verifyLogin(env, a.device.signingPub, sig, { ...c, expiresAt: now + 3_600_000 }, now))).toBe("out_of_bounds");
    expect(await codeOf(() => verifyLogin(env, a.device.signingPub, sig, { ...c, origin: "https://evil.example" }, now))).toBe("bad_signature");
    expect(await codeOf(() => verifyLogin(env, a.device.signingPub, sig, { ...c, deviceId: DeviceId.fromBytes(new Uint8Array(16)) }, now))).toBe("bad_signature");
    expect(await codeOf(() => verifyLogin(env, a.device.signingPub, sig, { ...c, accountId: AccountId.fromBytes(new Uint8Array(32)) }, now))).toBe("bad_signature");
  });
});
