import { describe, expect, it } from "vitest";
import {
  HEADER_BYTES,
  ProtocolError,
  advanceChain,
  assertCurrentEpoch,
  decodeEnvelope,
  openEnvelope,
  openEpochBundle,
  sealEnvelope,
  verifyLog,
  type ProtocolErrorCode,
} from "../../../protocol/index.js";
import { addDevice, env, makeAccount, makeDirectEpoch, randomClientMessageId } from "./fixtures.js";

async function setup() {
  const alice = await makeAccount("alice");
  const bob = await makeAccount("bob");
  const e = await makeDirectEpoch(alice, bob);
  const bobView = await openEpochBundle(env, e.bytes, {
    conversationId: e.conversationId,
    membershipHead: e.membershipHead,
    members: e.members,
    me: { accountId: bob.state.accountId, deviceId: bob.device.deviceId, boxKey: bob.device.box.privateKey },
  });
  const seal = (text: string, counter = 1, prevHash: Uint8Array = new Uint8Array(32)) =>
    sealEnvelope(env, {
      header: {
        conversationId: e.conversationId,
        epoch: 0,
        keyId: e.bundle.keyId,
        senderAccountId: alice.state.accountId,
        senderDeviceId: alice.device.deviceId,
        senderLogSeq: alice.state.head.seq,
        senderLogHead: alice.state.head.hash,
        counter,
        prevHash,
        clientMessageId: randomClientMessageId(),
      },
      ck: e.ck,
      signingKey: alice.device.signing.privateKey,
      body: { kind: "text", text, sentAt: 1_700_000_003_000 },
    });
  const open = async (bytes: Uint8Array) => openEnvelope(env, decodeEnvelope(bytes), { conversationId: e.conversationId, sender: alice.state, ck: bobView.ck, keyId: bobView.bundle.keyId });
  return { alice, bob, e, seal, open };
}

async function codeOf(p: Promise<unknown>): Promise<ProtocolErrorCode> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  throw new Error("expected a ProtocolError, but the input was accepted");
}

// Byte offsets of every header field (docs/PROTOCOL.md "Message envelope").
const HEADER_FIELDS: Array<[string, number, number]> = [
  ["version", 0, 1],
  ["conversationId", 1, 16],
  ["epoch", 17, 4],
  ["keyId", 21, 32],
  ["senderAccountId", 53, 32],
  ["senderDeviceId", 85, 16],
  ["senderLogSeq", 101, 4],
  ["senderLogHead", 105, 32],
  ["counter", 137, 4],
  ["prevHash", 141, 32],
  ["clientMessageId", 173, 16],
];

describe("message envelope", () => {
  it("round-trips text of every padding bucket size", async () => {
    const { seal, open } = await setup();
    for (const text of ["hi", "é".repeat(200), "x".repeat(5000), "🙂".repeat(4000)]) {
      const { bytes } = await seal(text);
      expect(await open(bytes)).toMatchObject({ kind: "text", text });
    }
  });

  it("header layout adds up to HEADER_BYTES", () => {
    const last = HEADER_FIELDS.at(-1)!;
    expect(last[1] + last[2]).toBe(HEADER_BYTES);
  });

  it.each(HEADER_FIELDS)("rejects an envelope whose %s was changed", async (_name, offset) => {
    const { seal, open } = await setup();
    const { bytes } = await seal("tamper me");
    const bad = bytes.slice();
    bad[offset]! ^= 0x01;
    await expect(codeOf(open(bad))).resolves.toMatch(/^(bad_signature|wrong_context|unknown_signer|unsupported_version|malformed|unknown_head|log_conflict)$/);
  });

  it("names the failure for each header field", async () => {
    const { seal, open } = await setup();
    const { bytes } = await seal("codes");
    const expected: Record<string, ProtocolErrorCode> = {
      version: "unsupported_version",
      conversationId: "wrong_context",
      epoch: "bad_signature",
      keyId: "bad_signature",
      senderAccountId: "wrong_context",
      senderDeviceId: "unknown_signer",
      senderLogSeq: "unknown_head",
      senderLogHead: "log_conflict",
      counter: "malformed",
      prevHash: "malformed",
      clientMessageId: "bad_signature",
    };
    for (const [name, offset] of HEADER_FIELDS) {
      const bad = bytes.slice();
      bad[offset + (name === "senderLogSeq" || name === "epoch" || name === "counter" ? 3 : 0)]! ^= 0x01;
      expect([name, await codeOf(open(bad))]).toEqual([name, expected[name]]);
    }
  });

  it("rejects a changed IV, ciphertext or signature", async () => {
    const { seal, open } = await setup();
    const { bytes } = await seal("body");
    for (const offset of [HEADER_BYTES, HEADER_BYTES + 12 + 4 + 3, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[offset]! ^= 0x80;
      expect(await codeOf(open(bad))).toBe("bad_signature");
    }
  });

  it("rejects truncated and extended envelopes", async () => {
    const { seal, open } = await setup();
    const { bytes } = await seal("length");
    expect(await codeOf(open(bytes.slice(0, bytes.length - 1)))).toBe("malformed");
    expect(await codeOf(open(new Uint8Array([...bytes, 0])))).toBe("malformed");
    expect(await codeOf(open(bytes.slice(0, 100)))).toBe("malformed");
  });

  it("rejects a message from a device not on the sender's log", async () => {
    const { alice, e } = await setup();
    // Alice adds a device, but Bob still holds the old verified state: the new device is unknown to him.
    const extra = await addDevice(alice);
    const sealed = await sealEnvelope(env, {
      header: {
        conversationId: e.conversationId,
        epoch: 0,
        keyId: e.bundle.keyId,
        senderAccountId: alice.state.accountId,
        senderDeviceId: extra.deviceId,
        senderLogSeq: 0,
        senderLogHead: alice.state.entryHashes[0]!,
        counter: 1,
        prevHash: new Uint8Array(32),
        clientMessageId: randomClientMessageId(),
      },
      ck: e.ck,
      signingKey: extra.signing.privateKey,
      body: { kind: "text", text: "from a stranger device", sentAt: 1 },
    });
    const bobsView = await verifyLog(env, alice.log.slice(0, 1));
    expect(await codeOf((async () => openEnvelope(env, decodeEnvelope(sealed.bytes), { conversationId: e.conversationId, sender: bobsView, ck: e.ck, keyId: e.bundle.keyId }))())).toBe("unknown_signer");
  });

  it("rejects a message signed by another device key than the one it names", async () => {
    const { alice, bob, e } = await setup();
    const sealed = await sealEnvelope(env, {
      header: {
        conversationId: e.conversationId,
        epoch: 0,
        keyId: e.bundle.keyId,
        senderAccountId: alice.state.accountId,
        senderDeviceId: alice.device.deviceId,
        senderLogSeq: 0,
        senderLogHead: alice.state.head.hash,
        counter: 1,
        prevHash: new Uint8Array(32),
        clientMessageId: randomClientMessageId(),
      },
      ck: e.ck,
      signingKey: bob.device.signing.privateKey,
      body: { kind: "text", text: "forged", sentAt: 1 },
    });
    expect(await codeOf((async () => openEnvelope(env, decodeEnvelope(sealed.bytes), { conversationId: e.conversationId, sender: alice.state, ck: e.ck, keyId: e.bundle.keyId }))())).toBe("bad_signature");
  });

  it("refuses replays and reports gaps and broken chains", async () => {
    const { seal } = await setup();
    const m1 = await seal("one", 1);
    const m2 = await seal("two", 2, m1.hash);
    const m4 = await seal("four", 4, new Uint8Array(32).fill(9));
    const s1 = advanceChain(undefined, m1.header, m1.hash);
    expect(s1.missing).toBe(0);
    const s2 = advanceChain(s1.chain, m2.header, m2.hash);
    expect([s2.missing, s2.broken]).toEqual([0, false]);
    expect(() => advanceChain(s2.chain, m1.header, m1.hash)).toThrow(ProtocolError);
    expect(() => advanceChain(s2.chain, m2.header, m2.hash)).toThrow(/already seen/);
    expect(advanceChain(s2.chain, m4.header, m4.hash).missing).toBe(1);
    const wrongPrev = await seal("three", 3, new Uint8Array(32).fill(1));
    expect(advanceChain(s2.chain, wrongPrev.header, wrongPrev.hash).broken).toBe(true);
  });

  it("refuses a replayed client message id even under a fresh counter", async () => {
    const { seal } = await setup();
    const m1 = await seal("one", 1);
    const m2 = await seal("again", 2, m1.hash);
    const s1 = advanceChain(undefined, m1.header, m1.hash);
    expect(await codeOf((async () => advanceChain(s1.chain, m2.header, m2.hash, { messageIdSeen: true }))())).toBe("replay");
  });

  it("refuses an epoch from the past", async () => {
    expect(() => assertCurrentEpoch(3, 3)).not.toThrow();
    expect(() => assertCurrentEpoch(undefined, 0)).not.toThrow();
    expect(() => assertCurrentEpoch(2, 5)).not.toThrow();
    expect(await codeOf((async () => assertCurrentEpoch(3, 2))())).toBe("stale_epoch");
  });
});
