import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  MAX_GROUP_NAME_BYTES,
  MAX_SEALED_GROUP_META_BYTES,
  ProtocolError,
  decodeSealedGroupMeta,
  deviceKeyFromLogs,
  openGroupMeta,
  parseGroupName,
  sealGroupMeta,
  verifyLog,
  type AccountId,
  type DeviceKeyAt,
  type Key,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount, makeDirectEpoch, type TestAccount } from "./fixtures.js";

/** Group names sealed under the epoch key and signed by the writing member device (issue 7). */
let alice: TestAccount, bob: TestAccount;
let epoch: Awaited<ReturnType<typeof makeDirectEpoch>>;
let otherCk: Key;
let deviceKeyAt: DeviceKeyAt;
let sealed: Uint8Array;

const ctx = () => ({ conversationId: epoch.conversationId, epoch: epoch.bundle.epoch, keyId: epoch.bundle.keyId, ck: epoch.ck, deviceKeyAt });
const header = (by: TestAccount = alice) => ({
  conversationId: epoch.conversationId,
  epoch: 0,
  keyId: epoch.bundle.keyId,
  author: { accountId: by.state.accountId, deviceId: by.device.deviceId, logSeq: by.state.head.seq, logHead: by.state.head.hash },
  createdAt: 1_700_000_050_000,
});
const seal = (name: string, o: { ck?: Key; by?: TestAccount } = {}) => sealGroupMeta(env, { ...header(o.by), ck: o.ck ?? epoch.ck, signingKey: (o.by ?? alice).device.signing.privateKey, meta: { name } });

beforeAll(async () => {
  [alice, bob] = (await Promise.all(["alice", "bob"].map(makeAccount))) as [TestAccount, TestAccount];
  epoch = await makeDirectEpoch(alice, bob, 0);
  otherCk = (await makeDirectEpoch(alice, bob, 0, epoch.conversationId)).ck;
  const accounts = new Map([alice, bob].map((a) => [a.state.accountId as string, a]));
  deviceKeyAt = deviceKeyFromLogs(async (accountId: AccountId, seq: number) => {
    const a = accounts.get(accountId);
    return a && seq < a.log.length ? verifyLog(env, a.log.slice(0, seq + 1)) : undefined;
  });
  sealed = await seal("Climbing club");
});

describe("group meta", () => {
  it("round-trips the name, trimmed, for any member device", async () => {
    expect(await openGroupMeta(env, sealed, ctx())).toEqual({ name: "Climbing club" });
    expect(await openGroupMeta(env, await seal("  Padded\t"), ctx())).toEqual({ name: "Padded" });
    expect(await openGroupMeta(env, await seal("Bob's rename", { by: bob }), ctx())).toEqual({ name: "Bob's rename" });
    const d = decodeSealedGroupMeta(sealed);
    expect(d).toMatchObject({ conversationId: epoch.conversationId, epoch: 0, keyId: epoch.bundle.keyId, author: { accountId: alice.state.accountId, deviceId: alice.device.deviceId }, createdAt: 1_700_000_050_000 });
    // The server sees only the padded size: every name of up to 100 bytes seals to the same length.
    expect((await seal("x")).length).toBe(sealed.length);
    expect((await seal("é".repeat(50))).length).toBe(sealed.length);
    expect(sealed.length).toBe(497); // docs/PROTOCOL.md "Group metadata"
    expect(sealed.length).toBeLessThanOrEqual(MAX_SEALED_GROUP_META_BYTES);
  });

  it("accepts names of 1 to 100 UTF-8 bytes and nothing with control or bidi-override characters", async () => {
    expect(parseGroupName("😀".repeat(25))).toBe("😀".repeat(25));
    expect(await codeOf(() => parseGroupName("a".repeat(MAX_GROUP_NAME_BYTES + 1)))).toBe("out_of_bounds");
    expect(await codeOf(() => parseGroupName("😀".repeat(25) + "a"))).toBe("out_of_bounds");
    for (const empty of ["", "   ", "\n"]) expect(await codeOf(() => seal(empty))).toBe("out_of_bounds");
    for (const bad of ["bell\u0007", "nul\u0000x", "a\u202eevil", "iso\u2066late", "c1\u0085"]) expect(await codeOf(() => seal(bad))).toBe("malformed");
    expect(await codeOf(() => parseGroupName("lone \ud800"))).toBe("malformed");
  });

  it("refuses a meta for another conversation, epoch or key id than the caller's", async () => {
    expect(await codeOf(() => openGroupMeta(env, sealed, { ...ctx(), epoch: 1 }))).toBe("wrong_context");
    expect(await codeOf(() => openGroupMeta(env, sealed, { ...ctx(), keyId: new Uint8Array(32) }))).toBe("wrong_context");
    const other = await makeDirectEpoch(alice, bob, 0);
    expect(await codeOf(() => openGroupMeta(env, sealed, { ...ctx(), conversationId: other.conversationId }))).toBe("wrong_context");
  });

  it("refuses a signer the caller's logs do not vouch for, and a key that is not the epoch's", async () => {
    expect(await codeOf(() => openGroupMeta(env, sealed, { ...ctx(), deviceKeyAt: async () => undefined }))).toBe("unknown_signer");
    // Signed by Bob's device while naming Alice's: the key Alice's log holds does not verify it.
    const forged = await sealGroupMeta(env, { ...header(alice), ck: epoch.ck, signingKey: bob.device.signing.privateKey, meta: { name: "forged" } });
    expect(await codeOf(() => openGroupMeta(env, forged, ctx()))).toBe("bad_signature");
    const underOtherKey = await seal("other key", { ck: otherCk });
    expect(await codeOf(() => openGroupMeta(env, underOtherKey, ctx()))).toBe("decrypt_failed");
  });

  // Offsets of docs/PROTOCOL.md "Group metadata".
  const FIELDS: [string, number, string][] = [
    ["version", 0, "unsupported_version"],
    ["conversation id", 1, "wrong_context"],
    ["epoch", 17, "wrong_context"],
    ["key id", 21, "wrong_context"],
    ["author account", 53, "unknown_head"],
    ["author device", 85, "unknown_signer"],
    ["author log seq", 101, "unknown_head"],
    ["author log head", 105, "log_conflict"],
    ["createdAt", 144, "bad_signature"],
    ["iv", 145, "bad_signature"],
    ["ciphertext", 161, "bad_signature"],
    ["signature", -1, "bad_signature"],
  ];
  it.each(FIELDS)("refuses a meta whose %s was changed", async (_name, offset, code) => {
    const bad = sealed.slice();
    bad[offset < 0 ? bad.length + offset : offset]! ^= 0x01;
    expect(await codeOf(() => openGroupMeta(env, bad, ctx()))).toBe(code);
  });

  it("decodes strictly: truncated, extended, unknown version, reserved IV, unbounded ciphertext", async () => {
    expect(await codeOf(() => decodeSealedGroupMeta(sealed.subarray(0, sealed.length - 1)))).toBe("malformed");
    expect(await codeOf(() => decodeSealedGroupMeta(new Uint8Array([...sealed, 0])))).toBe("malformed");
    expect(await codeOf(() => decodeSealedGroupMeta(Uint8Array.of(2, ...sealed.subarray(1))))).toBe("unsupported_version");
    const zeroIv = sealed.slice();
    zeroIv.fill(0, 145, 157);
    expect(await codeOf(() => decodeSealedGroupMeta(zeroIv))).toBe("malformed");
    const huge = sealed.slice();
    new DataView(huge.buffer).setUint32(157, 0x7fffffff);
    expect(await codeOf(() => decodeSealedGroupMeta(huge))).toBe("out_of_bounds");
  });
});

describe("group meta properties", () => {
  const names = fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((s) => {
    try {
      return parseGroupName(s) === s;
    } catch {
      return false;
    }
  });

  it("any valid name seals and opens to itself", () =>
    fc.assert(
      fc.asyncProperty(names, async (name) => {
        expect(await openGroupMeta(env, await seal(name), ctx())).toEqual({ name });
      }),
      { numRuns: 200 },
    ));

  it("the decoder and the opener return or throw a ProtocolError, whatever the bytes", async () => {
    const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(sealed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(sealed.length), fc.uint8Array({ maxLength: 8 })).map(([edits, cut, tail]) => {
      const b = sealed.slice(0, Math.max(cut, sealed.length - 16));
      for (const [i, v] of edits) if (i < b.length) b[i] = v;
      return new Uint8Array([...b, ...tail]);
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated), async (b) => {
        try {
          await openGroupMeta(env, b, ctx());
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
