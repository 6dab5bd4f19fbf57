import { describe, expect, it } from "vitest";
import {
  ClientMessageId,
  ConversationId,
  DeviceId,
  READ_STATE_BYTES,
  decodeReadState,
  fromBase64url,
  generateBoxPair,
  exportPublic,
  importSeed,
  openReadState,
  sealReadState,
  toBase64url,
  type CryptoEnv,
  type HistoryKeyOf,
} from "../../../protocol/index.js";
import vector from "../../vectors/read-state.json" with { type: "json" };
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

/** A CryptoEnv whose "random" bytes are fixed, so a sealed blob is byte-for-byte reproducible. */
function fixedRandom(bytes: Uint8Array): CryptoEnv {
  return { subtle: env.subtle, randomBytes: (n) => bytes.slice(0, n) };
}

async function vectorKey(generation = vector.generation): Promise<HistoryKeyOf> {
  const k = await importSeed(env, "X25519", fromBase64url(vector.historySeed));
  return { historyKey: k.privateKey, historyPublic: k.publicKey, generation };
}

const conversationId = ConversationId.parse(vector.conversationId);
const state = { position: vector.position, ref: { deviceId: DeviceId.parse(vector.deviceId), clientMessageId: ClientMessageId.parse(vector.clientMessageId) } };

describe("read state", () => {
  it("matches the known-answer vector (tests/vectors/read-state.json, docs/PROTOCOL.md \"Read state\")", async () => {
    const k = await vectorKey();
    expect(toBase64url(k.historyPublic)).toBe(vector.historyPublic);
    const sealed = await sealReadState(fixedRandom(fromBase64url(vector.iv)), k, conversationId, state);
    expect(sealed.length).toBe(READ_STATE_BYTES);
    expect(toBase64url(sealed)).toBe(vector.sealed);
    expect(await openReadState(env, decodeReadState(fromBase64url(vector.sealed)), k, conversationId)).toEqual(state);
  });

  it("round-trips with a random nonce, and two seals of the same state differ", async () => {
    const k = await vectorKey();
    const a = await sealReadState(env, k, conversationId, state);
    const b = await sealReadState(env, k, conversationId, state);
    expect(toBase64url(a)).not.toBe(toBase64url(b));
    expect(await openReadState(env, decodeReadState(a), k, conversationId)).toEqual(state);
    expect(decodeReadState(a).generation).toBe(vector.generation);
  });

  it("refuses a blob of the wrong size or version", async () => {
    const bytes = fromBase64url(vector.sealed);
    expect(await codeOf(() => decodeReadState(bytes.slice(0, -1)))).toBe("malformed");
    expect(await codeOf(() => decodeReadState(new Uint8Array([...bytes, 0])))).toBe("malformed");
    expect(await codeOf(() => decodeReadState(new Uint8Array(0)))).toBe("malformed");
    const v2 = bytes.slice();
    v2[0] = 2;
    expect(await codeOf(() => decodeReadState(v2))).toBe("unsupported_version");
  });

  it("refuses every flipped bit of the nonce and ciphertext, another conversation and another account's key", async () => {
    const k = await vectorKey();
    const bytes = fromBase64url(vector.sealed);
    for (let i = 5; i < bytes.length; i++) {
      const flipped = bytes.slice();
      flipped[i]! ^= 0x01;
      expect(await codeOf(() => openReadState(env, decodeReadState(flipped), k, conversationId))).toBe("decrypt_failed");
    }
    const other = ConversationId.fromBytes(new Uint8Array(16).fill(0x0c));
    expect(await codeOf(() => openReadState(env, decodeReadState(bytes), k, other))).toBe("decrypt_failed");
    const stranger = await generateBoxPair(env, false);
    const strangerKey = { historyKey: stranger.privateKey, historyPublic: await exportPublic(env, stranger.publicKey), generation: vector.generation };
    expect(await codeOf(() => openReadState(env, decodeReadState(bytes), strangerKey, conversationId))).toBe("decrypt_failed");
  });

  it("never opens a blob of another generation, and the generation is bound into the key and the AAD", async () => {
    const bytes = fromBase64url(vector.sealed);
    // The header says generation 2; a device at generation 3 does not try it.
    expect(await codeOf(async () => openReadState(env, decodeReadState(bytes), await vectorKey(3), conversationId))).toBe("wrong_context");
    // Rewriting the header's generation to match a device's does not make it open.
    const rewritten = bytes.slice();
    rewritten[4] = 3;
    expect(await codeOf(async () => openReadState(env, decodeReadState(rewritten), await vectorKey(3), conversationId))).toBe("decrypt_failed");
  });

  it("refuses position 0 and positions past 2^53", async () => {
    const k = await vectorKey();
    await expect(sealReadState(env, k, conversationId, { ...state, position: 2 ** 53 })).rejects.toThrow(RangeError);
    const zero = await sealReadState(env, k, conversationId, { ...state, position: 0 });
    expect(await codeOf(() => openReadState(env, decodeReadState(zero), k, conversationId))).toBe("malformed");
  });
});
