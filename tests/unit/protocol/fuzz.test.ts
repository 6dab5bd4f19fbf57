import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ProtocolError,
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
