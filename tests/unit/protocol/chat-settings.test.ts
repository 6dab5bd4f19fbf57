import { describe, expect, it } from "vitest";
import {
  CHAT_SETTINGS_HEADER_BYTES,
  ConversationId,
  DeviceId,
  IV_BYTES,
  MAX_CHAT_SETTINGS_BYTES,
  MAX_HIDDEN_SPANS,
  Writer,
  decodeChatSettings,
  decodeChatSettingsBlob,
  encodeChatSettings,
  exportPublic,
  fromBase64url,
  generateBoxPair,
  importSeed,
  openChatSettings,
  sealChatSettings,
  toBase64url,
  type ChatSettings,
  type CryptoEnv,
  type HistoryKeyOf,
} from "../../../protocol/index.js";
import vector from "../../vectors/chat-settings.json" with { type: "json" };
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

function fixedRandom(bytes: Uint8Array): CryptoEnv {
  return { subtle: env.subtle, randomBytes: (n) => bytes.slice(0, n) };
}

async function vectorKey(generation = vector.generation): Promise<HistoryKeyOf> {
  const k = await importSeed(env, "X25519", fromBase64url(vector.historySeed));
  return { historyKey: k.privateKey, historyPublic: k.publicKey, generation };
}

const conversationId = ConversationId.parse(vector.conversationId);
const s = vector.settings;
const settings: ChatSettings = {
  writer: DeviceId.parse(s.writer),
  pinOrder: s.pinOrder,
  markedUnread: true,
  hidden: s.hidden,
  deletedUpTo: s.deletedUpTo,
  verifiedIdentity: fromBase64url(s.verifiedIdentity),
  trustedIdentity: fromBase64url(s.trustedIdentity),
};

describe("chat settings", () => {
  it("matches the known-answer vector (tests/vectors/chat-settings.json, docs/PROTOCOL.md \"Chat settings\")", async () => {
    const k = await vectorKey();
    expect(toBase64url(k.historyPublic)).toBe(vector.historyPublic);
    const sealed = await sealChatSettings(fixedRandom(fromBase64url(vector.iv)), k, conversationId, vector.revision, settings);
    expect(toBase64url(sealed)).toBe(vector.sealed);
    const d = decodeChatSettingsBlob(fromBase64url(vector.sealed));
    expect([d.generation, d.revision]).toEqual([vector.generation, vector.revision]);
    expect(await openChatSettings(env, d, k, conversationId)).toEqual(settings);
  });

  it("round-trips an empty record and a full one, each padded to a bucket", async () => {
    const k = await vectorKey();
    const empty: ChatSettings = { writer: settings.writer, hidden: [] };
    const a = await sealChatSettings(env, k, conversationId, 1, empty);
    expect(await openChatSettings(env, decodeChatSettingsBlob(a), k, conversationId)).toEqual(empty);
    const full: ChatSettings = { ...settings, archivedAt: 0, blockedSince: 99, hidden: Array.from({ length: MAX_HIDDEN_SPANS }, (_, i) => ({ after: 2 * i, upTo: 2 * i + 1 })) };
    const b = await sealChatSettings(env, k, conversationId, 2 ** 53 - 1, full);
    expect(b.length).toBe(MAX_CHAT_SETTINGS_BYTES);
    expect(await openChatSettings(env, decodeChatSettingsBlob(b), k, conversationId)).toEqual(full);
    expect(a.length).toBe(decodeChatSettingsBlob(await sealChatSettings(env, k, conversationId, 1, settings)).ciphertext.length + CHAT_SETTINGS_HEADER_BYTES + IV_BYTES);
  });

  it("refuses more than 1000 spans, spans that do not advance and bad values when sealing", async () => {
    const k = await vectorKey();
    const many = Array.from({ length: MAX_HIDDEN_SPANS + 1 }, (_, i) => ({ after: 2 * i, upTo: 2 * i + 1 }));
    await expect(sealChatSettings(env, k, conversationId, 1, { ...settings, hidden: many })).rejects.toThrow(RangeError);
    await expect(sealChatSettings(env, k, conversationId, 1, { ...settings, hidden: [{ after: 5, upTo: 5 }] })).rejects.toThrow(RangeError);
    await expect(sealChatSettings(env, k, conversationId, 0, settings)).rejects.toThrow(RangeError);
    await expect(sealChatSettings(env, k, conversationId, 1, { ...settings, pinOrder: 0 })).rejects.toThrow(RangeError);
    await expect(sealChatSettings(env, k, conversationId, 1, { ...settings, verifiedIdentity: new Uint8Array(31) })).rejects.toThrow(RangeError);
  });

  it("decodes the plaintext bounded: unknown flags, values without their flag, too many spans, trailing bytes", async () => {
    const good = encodeChatSettings(settings);
    expect(decodeChatSettings(good)).toEqual(settings);
    const flags = 16;
    const unknown = good.slice();
    unknown[flags] = 0x80 | unknown[flags]!;
    expect(await codeOf(() => decodeChatSettings(unknown))).toBe("malformed");
    const unpinned = good.slice();
    unpinned[flags] = unpinned[flags]! & ~1; // pinOrder 3 stays without the flag
    expect(await codeOf(() => decodeChatSettings(unpinned))).toBe("malformed");
    const unverified = good.slice();
    unverified[flags] = unverified[flags]! & ~32;
    expect(await codeOf(() => decodeChatSettings(unverified))).toBe("malformed");
    expect(await codeOf(() => decodeChatSettings(new Uint8Array([...good, 0])))).toBe("malformed");
    expect(await codeOf(() => decodeChatSettings(good.slice(0, -1)))).toBe("malformed");
    // A count above 1000 is refused before the spans are read.
    const countAt = 16 + 1 + 4 + 8 * 3 + 32 * 2;
    const huge = good.slice(0, countAt + 2);
    new DataView(huge.buffer).setUint16(countAt, MAX_HIDDEN_SPANS + 1);
    expect(await codeOf(() => decodeChatSettings(huge))).toBe("out_of_bounds");
  });

  it("refuses a blob of a wrong size, version or revision 0 before opening it", async () => {
    const bytes = fromBase64url(vector.sealed);
    expect(await codeOf(() => decodeChatSettingsBlob(bytes.slice(0, -1)))).toBe("malformed");
    expect(await codeOf(() => decodeChatSettingsBlob(new Uint8Array([...bytes, 0])))).toBe("malformed");
    expect(await codeOf(() => decodeChatSettingsBlob(new Uint8Array(0)))).toBe("malformed");
    expect(await codeOf(() => decodeChatSettingsBlob(new Uint8Array(MAX_CHAT_SETTINGS_BYTES + 1)))).toBe("malformed");
    const v2 = bytes.slice();
    v2[0] = 2;
    expect(await codeOf(() => decodeChatSettingsBlob(v2))).toBe("unsupported_version");
    const zero = new Uint8Array([...new Writer().u8(1).u32(2).u64(0).finish(), ...bytes.slice(CHAT_SETTINGS_HEADER_BYTES)]);
    expect(await codeOf(() => decodeChatSettingsBlob(zero))).toBe("malformed");
  });

  it("refuses every flipped bit of the header's revision, the nonce and the ciphertext, another conversation and another account", async () => {
    const k = await vectorKey();
    const bytes = fromBase64url(vector.sealed);
    // The revision's top byte flipped is past 2^53: refused before any key is tried.
    const top = bytes.slice();
    top[5]! ^= 0x01;
    expect(await codeOf(() => decodeChatSettingsBlob(top))).toBe("out_of_bounds");
    for (let i = 6; i < bytes.length; i++) {
      const flipped = bytes.slice();
      flipped[i]! ^= 0x01;
      expect(await codeOf(() => openChatSettings(env, decodeChatSettingsBlob(flipped), k, conversationId))).toBe("decrypt_failed");
    }
    const other = ConversationId.fromBytes(new Uint8Array(16).fill(0x0c));
    expect(await codeOf(() => openChatSettings(env, decodeChatSettingsBlob(bytes), k, other))).toBe("decrypt_failed");
    const stranger = await generateBoxPair(env, false);
    const strangerKey = { historyKey: stranger.privateKey, historyPublic: await exportPublic(env, stranger.publicKey), generation: vector.generation };
    expect(await codeOf(() => openChatSettings(env, decodeChatSettingsBlob(bytes), strangerKey, conversationId))).toBe("decrypt_failed");
  });

  it("never opens a blob of another generation, and the generation is bound into the key and the AAD", async () => {
    const bytes = fromBase64url(vector.sealed);
    expect(await codeOf(async () => openChatSettings(env, decodeChatSettingsBlob(bytes), await vectorKey(3), conversationId))).toBe("wrong_context");
    const rewritten = bytes.slice();
    rewritten[4] = 3;
    expect(await codeOf(async () => openChatSettings(env, decodeChatSettingsBlob(rewritten), await vectorKey(3), conversationId))).toBe("decrypt_failed");
  });
});
