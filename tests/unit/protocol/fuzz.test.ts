import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  LINK_OFFER_PREFIX,
  decodeEntryBody,
  decodeKeyFile,
  decodeLinkMessage,
  decodePassphraseBlob,
  decodeRecoveryBlobHeader,
  decodeDeviceSecretsHeader,
  decodeResetPayload,
  decodeMembershipEntry,
  decodeRevokePayload,
  decodeRotateRecoveryPayload,
  parseLinkOffer,
  AccountId,
  ClientMessageId,
  ConversationId,
  DeviceId,
  ProtocolError,
  Writer,
  encodeBundle,
  encodeBundleBody,
  encodeEntry,
  encodeEnvelope,
  encodeHeader,
  formatRecoveryKey,
  parseRecoveryKey,
  decodeAddDevicePayload,
  decodeBody,
  decodeBundle,
  decodeEntry,
  decodeEnvelope,
  decodeGenesisPayload,
  fromBase64url,
  sealEnvelope,
  unpad,
} from "../../../protocol/index.js";
import { env, makeAccount, makeDirectEpoch, randomClientMessageId } from "./fixtures.js";

const RUNS = 10_000;

/** A decoder may only return a value or throw a ProtocolError; anything else is a crash. */
function neverCrashes(decode: (b: Uint8Array) => unknown) {
  return (bytes: Uint8Array) => {
    try {
      decode(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
    }
  };
}

/** Random bytes, and valid encodings with random bytes changed, cut or appended. */
function inputs(valid: Uint8Array) {
  const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(valid.length), fc.uint8Array({ maxLength: 8 })).map(([edits, cut, tail]) => {
    const b = valid.slice(0, Math.max(cut, valid.length - 16));
    for (const [i, v] of edits) if (i < b.length) b[i] = v;
    return new Uint8Array([...b, ...tail]);
  });
  return fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated);
}

let samples: { entry: Uint8Array; bundle: Uint8Array; envelope: Uint8Array };

beforeAll(async () => {
  const alice = await makeAccount("alice");
  const bob = await makeAccount("bob");
  const e = await makeDirectEpoch(alice, bob);
  const sealed = await sealEnvelope(env, {
    header: { conversationId: e.conversationId, epoch: 0, keyId: e.bundle.keyId, senderAccountId: alice.state.accountId, senderDeviceId: alice.device.deviceId, senderLogSeq: 0, senderLogHead: alice.state.head.hash, counter: 1, prevHash: new Uint8Array(32), clientMessageId: randomClientMessageId() },
    ck: e.ck,
    signingKey: alice.device.signing.privateKey,
    body: { kind: "text", text: "fuzz", sentAt: 1 },
  });
  samples = { entry: alice.log[0]!, bundle: e.bytes, envelope: sealed.bytes };
});

describe(`decoders never crash on hostile bytes (${RUNS} cases each)`, () => {
  it("log entry", () => fc.assert(fc.property(inputs(samples.entry), neverCrashes(decodeEntry)), { numRuns: RUNS }));
  it("genesis payload", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), neverCrashes(decodeGenesisPayload)), { numRuns: RUNS }));
  it("add-device payload", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), neverCrashes(decodeAddDevicePayload)), { numRuns: RUNS }));
  it("epoch bundle", () => fc.assert(fc.property(inputs(samples.bundle), neverCrashes(decodeBundle)), { numRuns: RUNS }));
  it("envelope", () => fc.assert(fc.property(inputs(samples.envelope), neverCrashes(decodeEnvelope)), { numRuns: RUNS }));
  it("message body", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), neverCrashes(decodeBody)), { numRuns: RUNS }));
  it("padding", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), neverCrashes(unpad)), { numRuns: RUNS }));
  it("base64url", () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (s) => {
        try {
          fromBase64url(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: RUNS },
    ));
});

describe("codecs round-trip", () => {
  it("base64url", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
          expect(fromBase64url(Buffer.from(b).toString("base64url"))).toEqual(b);
        }), { numRuns: 2000 }));
});

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe("structured codecs round-trip", { timeout: 60_000 }, () => {
  it("envelope", () =>
    fc.assert(
      fc.property(
        fc.record({
          conversationId: bytes(16),
          epoch: u32,
          keyId: bytes(32),
          senderAccountId: bytes(32),
          senderDeviceId: bytes(16),
          senderLogSeq: u32,
          senderLogHead: bytes(32),
          counter: fc.integer({ min: 2, max: 0xffffffff }),
          prevHash: bytes(32).filter((b) => b.some((x) => x !== 0)),
          clientMessageId: bytes(16),
        }),
        bytes(12).filter((b) => b.some((x) => x !== 0)),
        fc.integer({ min: 272, max: 2000 }),
        bytes(64),
        (h, iv, ctLength, signature) => {
          const header = {
            version: 1 as const,
            ...h,
            conversationId: ConversationId.fromBytes(h.conversationId),
            senderAccountId: AccountId.fromBytes(h.senderAccountId),
            senderDeviceId: DeviceId.fromBytes(h.senderDeviceId),
            clientMessageId: ClientMessageId.fromBytes(h.clientMessageId),
          };
          const ciphertext = new Uint8Array(ctLength).fill(7);
          const decoded = decodeEnvelope(encodeEnvelope({ headerBytes: encodeHeader(header), iv, ciphertext, signature }));
          expect(decoded.header).toEqual(header);
          expect([decoded.iv, decoded.ciphertext, decoded.signature]).toEqual([iv, ciphertext, signature]);
        },
      ),
      { numRuns: 500 },
    ));

  it("log entry", () =>
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        u32,
        bytes(32),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.record({ role: fc.constantFrom(1, 2, 3, 4), key: bytes(32), signature: bytes(64) }), { minLength: 1, maxLength: 4 }),
        (kind, seq, prev, createdAt, payload, sigs) => {
          const body = new Writer().u8(1).u8(kind).u32(seq).fixed(prev, 32).u64(createdAt).vbytes(payload).finish();
          const entry = { version: 1 as const, kind: kind as 0 | 1, seq, prev, createdAt, payload, signatures: sigs as never, body };
          expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
        },
      ),
      { numRuns: 2000 },
    ));

  it("epoch bundle", () =>
    fc.assert(
      fc.property(
        fc.record({ conversationId: bytes(16), epoch: u32, commitment: bytes(48), keyId: bytes(32), creatorAccountId: bytes(32), creatorDeviceId: bytes(16), membershipHead: bytes(32), createdAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
        fc.array(fc.record({ accountId: bytes(32), seq: u32, hash: bytes(32) }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ accountId: bytes(32), deviceId: bytes(16), boxKey: bytes(32), ephemeralKey: bytes(32), wrapped: bytes(48) }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ accountId: bytes(32), generation: u32, historyKey: bytes(32), ephemeralKey: bytes(32), wrapped: bytes(48) }), { minLength: 1, maxLength: 4 }),
        bytes(64),
        (f, heads, wraps, hist, signature) => {
          const unsigned = {
            version: 1 as const,
            ...f,
            conversationId: ConversationId.fromBytes(f.conversationId),
            creatorAccountId: AccountId.fromBytes(f.creatorAccountId),
            creatorDeviceId: DeviceId.fromBytes(f.creatorDeviceId),
            heads: heads.map((h) => ({ ...h, accountId: AccountId.fromBytes(h.accountId) })),
            deviceWraps: wraps.map((w) => ({ ...w, accountId: AccountId.fromBytes(w.accountId), deviceId: DeviceId.fromBytes(w.deviceId) })),
            historyWraps: hist.map((w) => ({ ...w, accountId: AccountId.fromBytes(w.accountId) })),
          };
          const bundle = { ...unsigned, signature, body: encodeBundleBody(unsigned) };
          expect(decodeBundle(encodeBundle(bundle))).toEqual(bundle);
        },
      ),
      { numRuns: 500 },
    ));

  it("recovery key text", async () =>
    fc.assert(
      fc.asyncProperty(bytes(16), async (rk) => {
        expect(await parseRecoveryKey(env, await formatRecoveryKey(env, rk))).toEqual(rk);
      }),
      { numRuns: 2000 },
    ));
});

describe(`later decoders never crash on hostile bytes (${RUNS} cases each)`, () => {
  const asText = (f: (t: string) => unknown) => (b: Uint8Array) => f(LINK_OFFER_PREFIX + Buffer.from(b).toString("base64url"));
  it("entry body", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), neverCrashes(decodeEntryBody)), { numRuns: RUNS }));
  it("revoke payload", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 220 }), neverCrashes(decodeRevokePayload)), { numRuns: RUNS }));
  it("rotate-recovery payload", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 220 }), neverCrashes(decodeRotateRecoveryPayload)), { numRuns: RUNS }));
  it("membership entry", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), neverCrashes(decodeMembershipEntry)), { numRuns: RUNS }));
  it("reset payload", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), neverCrashes(decodeResetPayload)), { numRuns: RUNS }));
  it("link offer", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), neverCrashes(asText((t) => parseLinkOffer(t, 0)))), { numRuns: RUNS }));
  it("link message", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), neverCrashes(decodeLinkMessage)), { numRuns: RUNS }));
  it("recovery blob", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), neverCrashes(decodeRecoveryBlobHeader)), { numRuns: RUNS }));
  it("device-secrets package", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), neverCrashes(decodeDeviceSecretsHeader)), { numRuns: RUNS }));
  it("passphrase blob", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), neverCrashes(decodePassphraseBlob)), { numRuns: RUNS }));
  it("key file", () =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        try {
          decodeKeyFile(`SEALED KEY FILE v1\n${Buffer.from(b).toString("base64url")}`);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: RUNS },
    ));
});
