import { describe, expect, it } from "vitest";
import {
  BUNDLE_VERSION,
  decodeBundle,
  encodeBundle,
  keyCommitment,
  keyIdOf,
  openArchivedKey,
  openEpochBundle,
  signBundle,
  verifyLog,
  wrapForDevice,
  type EpochBundle,
  type Key,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { addDevice, env, makeAccount, makeDirectEpoch, type TestAccount } from "./fixtures.js";

function bobOpens(bob: TestAccount, e: Awaited<ReturnType<typeof makeDirectEpoch>>, bytes: Uint8Array = e.bytes) {
  return openEpochBundle(env, bytes, {
    conversationId: e.conversationId,
    membershipHead: e.membershipHead,
    members: e.members,
    me: { accountId: bob.state.accountId, deviceId: bob.device.deviceId, boxKey: bob.device.box.privateKey },
  });
}

async function resign(alice: TestAccount, b: EpochBundle, changes: Partial<EpochBundle>) {
  const { signature: _s, body: _b, ...unsigned } = b;
  return (await signBundle(env, { ...unsigned, ...changes }, alice.device.signing.privateKey)).bytes;
}

async function encryptsEqually(a: Key, b: Key): Promise<boolean> {
  const iv = new Uint8Array(12).fill(7);
  const x = new Uint8Array(await env.subtle.encrypt({ name: "AES-GCM", iv }, a, new Uint8Array(16)));
  const y = new Uint8Array(await env.subtle.encrypt({ name: "AES-GCM", iv }, b, new Uint8Array(16)));
  return x.every((v, i) => v === y[i]);
}

describe("epoch bundle", () => {
  it("gives every member device and every history key the same committed key", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const { ck } = await bobOpens(bob, e);
    expect(ck.extractable).toBe(false);
    expect(await encryptsEqually(ck, e.ck)).toBe(true);
    const archived = await openArchivedKey(env, e.bundle, { accountId: bob.state.accountId, generation: 0, historyKey: bob.history.privateKey });
    expect(await encryptsEqually(archived, e.ck)).toBe(true);
    expect(decodeBundle(encodeBundle(e.bundle)).keyId).toEqual(e.bundle.keyId);
  });

  it("refuses a bundle whose bytes were altered anywhere (signature covers all)", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    // One byte in each region: header fields, cited heads, device wraps, history wraps, timestamp, signature.
    const offsets = [2, 20, 40, 100, 170, 200, 260, 300, 400, 500, e.bytes.length - 70, e.bytes.length - 1];
    for (const off of offsets) {
      const bad = e.bytes.slice();
      bad[off]! ^= 0x04;
      const code = await codeOf(() => bobOpens(bob, e, bad));
      expect(["bad_signature", "wrong_context", "unknown_signer", "out_of_bounds", "malformed", "recipient_mismatch", "commitment_mismatch"]).toContain(code);
    }
  });

  it("refuses truncated, extended and unknown-version bundles", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    expect(await codeOf(() => bobOpens(bob, e, e.bytes.slice(0, -1)))).toBe("malformed");
    expect(await codeOf(() => bobOpens(bob, e, new Uint8Array([...e.bytes, 1])))).toBe("malformed");
    const v2 = e.bytes.slice();
    v2[0] = BUNDLE_VERSION + 1;
    expect(await codeOf(() => bobOpens(bob, e, v2))).toBe("unsupported_version");
  });

  it("refuses a re-signed bundle with a swapped wrap, a dropped recipient or an extra one", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const [wa, wb] = e.bundle.deviceWraps;
    // Bob's wrap replaced by a copy of Alice's wrap relabelled for Bob: it no longer opens.
    const swapped = await resign(alice, e.bundle, { deviceWraps: [wa!, { ...wa!, accountId: wb!.accountId, deviceId: wb!.deviceId, boxKey: wb!.boxKey }] });
    expect(await codeOf(() => bobOpens(bob, e, swapped))).toBe("decrypt_failed");
    const dropped = await resign(alice, e.bundle, { deviceWraps: [wb!] });
    expect(await codeOf(() => bobOpens(bob, e, dropped))).toBe("recipient_mismatch");
    const eve = await makeAccount("eve");
    const extra = await resign(alice, e.bundle, { deviceWraps: [wa!, wb!, { ...wa!, accountId: eve.state.accountId, deviceId: eve.device.deviceId, boxKey: eve.device.boxPub }] });
    expect(await codeOf(() => bobOpens(bob, e, extra))).toBe("recipient_mismatch");
    const noHistory = await resign(alice, e.bundle, { historyWraps: e.bundle.historyWraps.slice(0, 1) });
    expect(await codeOf(() => bobOpens(bob, e, noHistory))).toBe("recipient_mismatch");
  });

  it("refuses altered cited heads: newer than verified, contradicting, or missing a member", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const [ha, hb] = e.bundle.heads;
    const newer = await resign(alice, e.bundle, { heads: [{ ...ha!, seq: 1 }, hb!] });
    expect(await codeOf(() => bobOpens(bob, e, newer))).toBe("unknown_head");
    const forked = await resign(alice, e.bundle, { heads: [{ ...ha!, hash: new Uint8Array(32).fill(3) }, hb!] });
    expect(await codeOf(() => bobOpens(bob, e, forked))).toBe("log_conflict");
    const missing = await resign(alice, e.bundle, { heads: [ha!] });
    expect(await codeOf(() => bobOpens(bob, e, missing))).toBe("recipient_mismatch");
  });

  it("refuses an altered commitment and a key that does not match its commitment", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const otherCommitment = new Uint8Array(48).fill(1);
    const altered = await resign(alice, e.bundle, { commitment: otherCommitment });
    expect(await codeOf(() => bobOpens(bob, e, altered))).toBe("commitment_mismatch");
    // A malicious creator commits to one key but wraps another for Bob (invisible-salamander style):
    // the wrap opens, the commitment check refuses it.
    const rogue = (await env.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"])) as Key;
    const ctx = { conversationId: e.conversationId, epoch: 0, keyId: e.bundle.keyId };
    const w = e.bundle.deviceWraps[1]!;
    const rogueWrap = await wrapForDevice(env, rogue, ctx, { accountId: w.accountId, deviceId: w.deviceId, boxKey: w.boxKey });
    const split = await resign(alice, e.bundle, { deviceWraps: [e.bundle.deviceWraps[0]!, rogueWrap] });
    expect(await codeOf(() => bobOpens(bob, e, split))).toBe("commitment_mismatch");
  });

  it("refuses an archived key that decrypts but does not match the commitment", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const rogue = (await env.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"])) as Key;
    const { wrapForHistory } = await import("../../../protocol/index.js");
    const h = e.bundle.historyWraps[1]!;
    const planted = await wrapForHistory(env, rogue, { conversationId: e.conversationId, epoch: 0, keyId: e.bundle.keyId }, h);
    const tampered = { ...e.bundle, historyWraps: [e.bundle.historyWraps[0]!, planted] };
    expect(await codeOf(() => openArchivedKey(env, tampered, { accountId: bob.state.accountId, generation: 0, historyKey: bob.history.privateKey }))).toBe("commitment_mismatch");
  });

  it("refuses a bundle from a device not on the creator's verified log", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const rogueDevice = await addDevice(alice);
    const bundleByRogue = await signBundle(env, (({ signature: _s, body: _b, ...u }) => ({ ...u, creatorDeviceId: rogueDevice.deviceId }))(e.bundle), rogueDevice.signing.privateKey);
    // Bob's verified view of Alice is still genesis only.
    const members = new Map(e.members);
    members.set(alice.state.accountId, await verifyLog(env, alice.log.slice(0, 1)));
    const code = await codeOf(() =>
      openEpochBundle(env, bundleByRogue.bytes, { conversationId: e.conversationId, membershipHead: e.membershipHead, members, me: { accountId: bob.state.accountId, deviceId: bob.device.deviceId, boxKey: bob.device.box.privateKey } }),
    );
    expect(code).toBe("unknown_signer");
  });

  it("binds the commitment to the conversation and epoch", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const c0 = await keyCommitment(env, e.ck, e.conversationId, 0);
    const c1 = await keyCommitment(env, e.ck, e.conversationId, 1);
    expect(c0).toEqual(e.bundle.commitment);
    expect(c1).not.toEqual(c0);
    expect(await keyIdOf(env, c0)).toEqual(e.bundle.keyId);
  });
});
