import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AccountId,
  ConversationId,
  HISTORY_SHARE_BYTES,
  ProtocolError,
  createHistoryShare,
  decodeHistoryShare,
  encodeHistoryShare,
  keyCommitment,
  openArchivedKey,
  openHistoryShare,
  type EpochBundle,
  type Key,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount, makeDirectEpoch, type TestAccount } from "./fixtures.js";

/**
 * History shares (issue 7, "history for new members"): Alice seals the CK of an epoch from before Dave
 * joined to Dave's history key; only the key the original bundle committed to is ever accepted.
 */
let alice: TestAccount, bob: TestAccount, dave: TestAccount;
let epoch0: Awaited<ReturnType<typeof makeDirectEpoch>>;
let epoch1: Awaited<ReturnType<typeof makeDirectEpoch>>;
/** Alice's extractable copies of the two epochs' keys, opened from her archive. */
let ck0: Key, ck1: Key;
let share: Uint8Array;

const forDave = () => ({ accountId: dave.state.accountId, generation: dave.state.history.generation, historyKey: dave.state.history.publicKey });
const daveOpens = (bundle: EpochBundle, bytes: Uint8Array, o: { generation?: number; as?: TestAccount } = {}) => {
  const who = o.as ?? dave;
  return openHistoryShare(env, bundle, decodeHistoryShare(bytes), { accountId: who.state.accountId, generation: o.generation ?? who.state.history.generation, historyKey: who.history.privateKey });
};

beforeAll(async () => {
  [alice, bob, dave] = (await Promise.all(["alice", "bob", "dave"].map(makeAccount))) as [TestAccount, TestAccount, TestAccount];
  epoch0 = await makeDirectEpoch(alice, bob, 0);
  epoch1 = await makeDirectEpoch(alice, bob, 1, epoch0.conversationId);
  const mine = { accountId: alice.state.accountId, generation: 0, historyKey: alice.history.privateKey };
  ck0 = await openArchivedKey(env, epoch0.bundle, mine, true);
  ck1 = await openArchivedKey(env, epoch1.bundle, mine, true);
  share = await createHistoryShare(env, ck0, epoch0.bundle, forDave());
});

describe("history share", () => {
  it("round-trips: Dave opens the epoch's key, and it is the committed one", async () => {
    expect(share).toHaveLength(HISTORY_SHARE_BYTES);
    const decoded = decodeHistoryShare(share);
    expect(decoded).toMatchObject({ conversationId: epoch0.conversationId, epoch: 0, keyId: epoch0.bundle.keyId, wrap: { accountId: dave.state.accountId, generation: 0 } });
    expect(encodeHistoryShare(decoded)).toEqual(share);
    const ck = await daveOpens(epoch0.bundle, share);
    expect(await keyCommitment(env, ck, epoch0.conversationId, 0)).toEqual(epoch0.bundle.commitment);
    expect(ck.extractable).toBe(false);
  });

  it("is addressed to one account at one generation", async () => {
    expect(await codeOf(() => daveOpens(epoch0.bundle, share, { as: bob }))).toBe("recipient_mismatch");
    expect(await codeOf(() => daveOpens(epoch0.bundle, share, { generation: 1 }))).toBe("recipient_mismatch");
    // Relabelled for Bob, it still opens only with Dave's key, and Bob has not got it.
    const relabelled = encodeHistoryShare({ ...decodeHistoryShare(share), wrap: { ...decodeHistoryShare(share).wrap, accountId: bob.state.accountId } });
    expect(await codeOf(() => daveOpens(epoch0.bundle, relabelled, { as: bob }))).toBe("decrypt_failed");
  });

  it("opens only against the bundle of its own conversation, epoch and key id", async () => {
    expect(await codeOf(() => daveOpens(epoch1.bundle, share))).toBe("wrong_context");
    const other = await makeDirectEpoch(alice, bob, 0);
    expect(await codeOf(() => daveOpens(other.bundle, share))).toBe("wrong_context");
    expect(await codeOf(() => daveOpens({ ...epoch0.bundle, keyId: epoch1.bundle.keyId }, share))).toBe("wrong_context");
  });

  it("refuses the key of another epoch dressed as this one's (commitment_mismatch): a sharer cannot plant a key", async () => {
    // A sharer who seals epoch 0's key under epoch 1's name: the share opens, the commitment does not match.
    const planted = await createHistoryShare(env, ck0, { ...epoch1.bundle, commitment: await keyCommitment(env, ck0, epoch1.conversationId, 1) }, forDave());
    expect(decodeHistoryShare(planted)).toMatchObject({ epoch: 1, keyId: epoch1.bundle.keyId });
    expect(await codeOf(() => daveOpens(epoch1.bundle, planted))).toBe("commitment_mismatch");
    // And an honest client refuses to make such a share in the first place.
    expect(await codeOf(() => createHistoryShare(env, ck1, epoch0.bundle, forDave()))).toBe("commitment_mismatch");
  });

  // Offsets of docs/PROTOCOL.md "History share".
  const FIELDS: [string, number, string][] = [
    ["version", 0, "unsupported_version"],
    ["conversation id", 1, "wrong_context"],
    ["epoch", 17, "wrong_context"],
    ["key id", 21, "wrong_context"],
    ["recipient account", 53, "recipient_mismatch"],
    ["generation", 85, "recipient_mismatch"],
    ["history key", 89, "decrypt_failed"],
    ["ephemeral key", 121, "decrypt_failed"],
    ["wrapped key", 153, "decrypt_failed"],
  ];
  it.each(FIELDS)("refuses a share whose %s was changed", async (_name, offset, code) => {
    const bad = share.slice();
    bad[offset]! ^= 0x01;
    expect(await codeOf(() => daveOpens(epoch0.bundle, bad))).toBe(code);
  });

  it("decodes strictly: truncated, extended or of an unknown version", async () => {
    expect(await codeOf(() => decodeHistoryShare(share.subarray(0, share.length - 1)))).toBe("malformed");
    expect(await codeOf(() => decodeHistoryShare(new Uint8Array([...share, 0])))).toBe("malformed");
    expect(await codeOf(() => decodeHistoryShare(new Uint8Array(0)))).toBe("malformed");
    expect(await codeOf(() => decodeHistoryShare(Uint8Array.of(9, ...share.subarray(1))))).toBe("unsupported_version");
  });
});

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe("history share properties", () => {
  it("any share round-trips through its encoding", () =>
    fc.assert(
      fc.property(bytes(16), fc.nat({ max: 0xffffffff }), bytes(32), bytes(32), fc.nat({ max: 0xffffffff }), bytes(32), bytes(32), bytes(48), (c, epoch, keyId, a, generation, historyKey, ephemeralKey, wrapped) => {
        const s = { conversationId: ConversationId.fromBytes(c), epoch, keyId, wrap: { accountId: AccountId.fromBytes(a), generation, historyKey, ephemeralKey, wrapped } };
        const encoded = encodeHistoryShare(s);
        expect(encoded).toHaveLength(HISTORY_SHARE_BYTES);
        expect(decodeHistoryShare(encoded)).toEqual(s);
      }),
      { numRuns: 1000 },
    ));

  it("the decoder returns a share or throws a ProtocolError, whatever the bytes", () =>
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.tuple(fc.nat(HISTORY_SHARE_BYTES), fc.uint8Array({ maxLength: 4 })).map(([cut, tail]) => new Uint8Array([...share.subarray(0, cut), ...tail]))), (b) => {
        try {
          decodeHistoryShare(b);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: 5000 },
    ));
});
