// Table-driven: one byte of each field of each signed format is changed, and each change must be
// refused with the error the spec's verification order gives (docs/PROTOCOL.md).
import { describe, expect, it } from "vitest";
import { openEpochBundle, verifyLog, type ProtocolErrorCode } from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount, makeDirectEpoch } from "./fixtures.js";

// Counts are changed to zero (mask 0x02 on a count of 2) so the outcome never depends on random bytes.
type Row = [field: string, offset: number, expected: ProtocolErrorCode, mask?: number];

// Epoch bundle with two members of one device each (offsets from docs/PROTOCOL.md "Epoch bundle").
const H = 183; // first cited head
const W = H + 2 * 68 + 2; // first device wrap
const HW = W + 2 * 160 + 2; // first history wrap
const T = HW + 2 * 148; // createdAt
const BUNDLE_FIELDS: Row[] = [
  ["version", 0, "unsupported_version"],
  ["conversation id", 1, "wrong_context"],
  ["epoch", 20, "bad_signature"],
  ["commitment", 21, "bad_signature"],
  ["key id", 69, "bad_signature"],
  ["creator account id", 101, "unknown_signer"],
  ["creator device id", 133, "unknown_signer"],
  ["membership head", 149, "wrong_context"],
  ["head count", 182, "out_of_bounds", 0x02],
  ["cited head account", H, "bad_signature"],
  ["cited head seq", H + 35, "bad_signature"],
  ["cited head hash", H + 36, "bad_signature"],
  ["device wrap count", W - 1, "out_of_bounds", 0x02],
  ["device wrap account", W, "bad_signature"],
  ["device wrap device id", W + 32, "bad_signature"],
  ["device wrap box key", W + 48, "bad_signature"],
  ["device wrap ephemeral key", W + 80, "bad_signature"],
  ["device wrap ciphertext", W + 112, "bad_signature"],
  ["history wrap count", HW - 1, "out_of_bounds", 0x02],
  ["history wrap account", HW, "bad_signature"],
  ["history wrap generation", HW + 35, "bad_signature"],
  ["history wrap key", HW + 36, "bad_signature"],
  ["history wrap ephemeral key", HW + 68, "bad_signature"],
  ["history wrap ciphertext", HW + 100, "bad_signature"],
  ["created at", T + 7, "bad_signature"],
  ["signature", T + 8, "bad_signature"],
];

describe("epoch bundle: every field", () => {
  it.each(BUNDLE_FIELDS)("a changed %s is refused", async (_field, offset, expected, mask = 0x01) => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    expect(e.bytes.length).toBe(T + 8 + 64);
    const bad = e.bytes.slice();
    bad[offset]! ^= mask;
    const me = { accountId: bob.state.accountId, deviceId: bob.device.deviceId, boxKey: bob.device.box.privateKey };
    expect(await codeOf(() => openEpochBundle(env, bad, { conversationId: e.conversationId, membershipHead: e.membershipHead, members: e.members, me }))).toBe(expected);
  });
});

// Genesis entry (offsets from docs/PROTOCOL.md "Device log"): body, then signatures.
const P = 50; // payload bytes, after u32 length at 46
const name = 4 + 5; // "alice"
const SIGS = P + name + 32 * 3 + 4 + 32 * 3; // signature count
const GENESIS_FIELDS: Row[] = [
  ["version", 0, "unsupported_version"],
  ["kind", 1, "chain_broken"],
  ["seq", 5, "chain_broken"],
  ["prev", 6, "chain_broken"],
  ["created at", 45, "bad_signature"],
  ["payload length", 46, "out_of_bounds"],
  ["username", P + 4, "malformed"],
  ["identity key", P + name, "unknown_signer"],
  ["recovery signing key", P + name + 32, "bad_signature"],
  ["recovery box key", P + name + 64, "bad_signature"],
  ["history generation", P + name + 99, "malformed"],
  ["history key", P + name + 100, "bad_signature"],
  ["device signing key", P + name + 132, "bad_signature"],
  ["device box key", P + name + 164, "bad_signature"],
  ["signature count", SIGS, "malformed"],
  ["signer role", SIGS + 1, "malformed"],
  ["signer key", SIGS + 2, "unknown_signer"],
  ["signature", SIGS + 34, "bad_signature"],
];

describe("genesis entry: every field", () => {
  it.each(GENESIS_FIELDS)("a changed %s is refused", async (_field, offset, expected) => {
    const a = await makeAccount("alice");
    const g = a.log[0]!;
    expect(g.length).toBe(SIGS + 1 + 3 * 97);
    const bad = g.slice();
    bad[offset]! ^= offset === P + 4 ? 0x20 : 0x01; // upper-casing a username letter
    expect(await codeOf(() => verifyLog(env, [bad]))).toBe(expected);
  });
});
