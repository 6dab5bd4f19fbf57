import { describe, expect, it } from "vitest";
import {
  AccountId,
  ConversationId,
  DeviceId,
  TYPING_FRAME_BYTES,
  TYPING_MAX_AGE_MS,
  TYPING_MAX_SKEW_MS,
  decodeTypingFrame,
  fromBase64url,
  importAesKey,
  importSeed,
  openTypingFrame,
  sealTypingFrame,
  toBase64url,
  typingKey,
  type CryptoEnv,
} from "../../../protocol/index.js";
import vector from "../../vectors/typing.json" with { type: "json" };
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

/** A CryptoEnv whose "random" bytes are fixed, so a sealed frame is byte-for-byte reproducible. */
function fixedRandom(bytes: Uint8Array): CryptoEnv {
  return { subtle: env.subtle, randomBytes: (n) => bytes.slice(0, n) };
}

async function vectorInputs() {
  const ck = await importAesKey(env, fromBase64url(vector.ck), false, ["encrypt", "decrypt"]);
  const signer = await importSeed(env, "Ed25519", fromBase64url(vector.signingSeed));
  const header = {
    conversationId: ConversationId.fromBytes(fromBase64url(vector.conversationId)),
    epoch: vector.epoch,
    keyId: fromBase64url(vector.keyId),
    senderAccountId: AccountId.fromBytes(fromBase64url(vector.senderAccountId)),
    senderDeviceId: DeviceId.fromBytes(fromBase64url(vector.senderDeviceId)),
    sentAt: vector.sentAt,
  };
  const key = await typingKey(env, { ck, conversationId: header.conversationId, epoch: header.epoch, keyId: header.keyId });
  return { ck, signer, header, key };
}

async function freshFrame(state: "typing" | "stopped" = "typing") {
  const v = await vectorInputs();
  const bytes = await sealTypingFrame(env, { header: v.header, key: v.key, signingKey: v.signer.privateKey, state });
  const open = (f: Uint8Array, o: Partial<{ now: number; key: typeof v.key; signer: Uint8Array; conversationId: ConversationId }> = {}) =>
    openTypingFrame(env, decodeTypingFrame(f), {
      conversationId: o.conversationId ?? v.header.conversationId,
      keyId: v.header.keyId,
      key: o.key ?? v.key,
      senderSigningKey: o.signer ?? v.signer.publicKey,
      now: o.now ?? v.header.sentAt + 1000,
    });
  return { ...v, bytes, open };
}

describe("typing frame", () => {
  it("matches the known-answer vector (tests/vectors/typing.json, docs/PROTOCOL.md \"Typing frame\")", async () => {
    const v = await vectorInputs();
    const frame = await sealTypingFrame(fixedRandom(fromBase64url(vector.iv)), { header: v.header, key: v.key, signingKey: v.signer.privateKey, state: "typing" });
    expect(frame.length).toBe(TYPING_FRAME_BYTES);
    expect(toBase64url(frame)).toBe(vector.frame);
    expect(toBase64url(v.signer.publicKey)).toBe(vector.signingPublicKey);
    const opened = await openTypingFrame(env, decodeTypingFrame(fromBase64url(vector.frame)), {
      conversationId: v.header.conversationId,
      keyId: v.header.keyId,
      key: v.key,
      senderSigningKey: v.signer.publicKey,
      now: vector.sentAt,
    });
    expect(opened).toBe("typing");
  });

  it("round-trips both states and decodes every header field", async () => {
    for (const state of ["typing", "stopped"] as const) {
      const f = await freshFrame(state);
      expect(await f.open(f.bytes)).toBe(state);
      expect(decodeTypingFrame(f.bytes).header).toEqual({ version: 1, ...f.header });
    }
  });

  it("refuses a frame of the wrong size, a wrong version and a reserved nonce", async () => {
    const f = await freshFrame();
    expect(await codeOf(() => decodeTypingFrame(f.bytes.slice(0, -1)))).toBe("malformed");
    expect(await codeOf(() => decodeTypingFrame(new Uint8Array([...f.bytes, 0])))).toBe("malformed");
    const v2 = f.bytes.slice();
    v2[0] = 2;
    expect(await codeOf(() => decodeTypingFrame(v2))).toBe("unsupported_version");
    const zeroIv = f.bytes.slice();
    zeroIv.fill(0, 109, 121);
    expect(await codeOf(() => decodeTypingFrame(zeroIv))).toBe("malformed");
    const keyIv = zeroIv.slice();
    keyIv[120] = 1;
    expect(await codeOf(() => decodeTypingFrame(keyIv))).toBe("malformed");
  });

  it("drops a stale frame and one dated too far in the future", async () => {
    const f = await freshFrame();
    const sentAt = f.header.sentAt;
    expect(await f.open(f.bytes, { now: sentAt + TYPING_MAX_AGE_MS })).toBe("typing");
    expect(await codeOf(() => f.open(f.bytes, { now: sentAt + TYPING_MAX_AGE_MS + 1 }))).toBe("expired");
    expect(await f.open(f.bytes, { now: sentAt - TYPING_MAX_SKEW_MS })).toBe("typing");
    expect(await codeOf(() => f.open(f.bytes, { now: sentAt - TYPING_MAX_SKEW_MS - 1 }))).toBe("expired");
  });

  it("refuses a frame signed by another device (a member forging another's typing)", async () => {
    const f = await freshFrame();
    const other = await importSeed(env, "Ed25519", new Uint8Array(32).fill(7));
    const forged = await sealTypingFrame(env, { header: f.header, key: f.key, signingKey: other.privateKey, state: "typing" });
    expect(await codeOf(() => f.open(forged))).toBe("bad_signature");
  });

  it("refuses every tampered byte: header, nonce, ciphertext or signature", async () => {
    const f = await freshFrame();
    // Ignore the sentAt bytes' effect on freshness: open with a clock that accepts any nearby time.
    for (let i = 0; i < f.bytes.length; i++) {
      const t = f.bytes.slice();
      t[i]! ^= 0x01;
      let code: string;
      try {
        code = await codeOf(() => f.open(t));
      } catch (e) {
        throw new Error(`byte ${i} flipped was accepted: ${String(e)}`);
      }
      expect(["malformed", "out_of_bounds", "wrong_context", "bad_signature", "unsupported_version", "expired"]).toContain(code);
    }
  });

  it("refuses a frame for another conversation, and one that does not open under the given key", async () => {
    const f = await freshFrame();
    expect(await codeOf(() => f.open(f.bytes, { conversationId: ConversationId.fromBytes(new Uint8Array(16).fill(9)) }))).toBe("wrong_context");
    const otherCk = await importAesKey(env, new Uint8Array(32).fill(3), false, ["encrypt", "decrypt"]);
    const otherKey = await typingKey(env, { ck: otherCk, conversationId: f.header.conversationId, epoch: f.header.epoch, keyId: f.header.keyId });
    expect(await codeOf(() => f.open(f.bytes, { key: otherKey }))).toBe("decrypt_failed");
  });

  it("derives a different key per epoch and never the epoch key itself", async () => {
    const v = await vectorInputs();
    const next = await typingKey(env, { ck: v.ck, conversationId: v.header.conversationId, epoch: v.header.epoch + 1, keyId: v.header.keyId });
    const f = await sealTypingFrame(env, { header: v.header, key: next, signingKey: v.signer.privateKey, state: "typing" });
    const open = (key: typeof v.key) =>
      openTypingFrame(env, decodeTypingFrame(f), { conversationId: v.header.conversationId, keyId: v.header.keyId, key, senderSigningKey: v.signer.publicKey, now: v.header.sentAt });
    expect(await codeOf(() => open(v.key))).toBe("decrypt_failed");
    expect(await codeOf(() => open(v.ck))).toBe("decrypt_failed");
    expect(await open(next)).toBe("typing");
  });
});
