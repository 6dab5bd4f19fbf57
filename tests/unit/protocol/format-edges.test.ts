// Every binary format: a valid sample decodes; the same bytes truncated, extended by one byte, or with
// an unknown version byte are each refused with a typed error.
import { beforeAll, describe, expect, it } from "vitest";
import {
  KDF_DEFAULTS,
  decodeBundle,
  decodeEntry,
  decodeEnvelope,
  decodeKeyFile,
  decodeLinkMessage,
  decodePassphraseBlob,
  decodeRecoveryBlobHeader,
  deriveRecoveryKeys,
  encodeKeyFile,
  encodeLinkMessage,
  fromBase64url,
  generateRecoveryKey,
  parseLinkOffer,
  createLinkOffer,
  sealEnvelope,
  sealPassphraseBlob,
  sealRecoveryBlob,
  toBase64url,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount, makeDirectEpoch, randomClientMessageId } from "./fixtures.js";

type Format = { name: string; sample: Uint8Array; decode: (b: Uint8Array) => unknown; versionAt?: number };
const formats: Format[] = [];

beforeAll(async () => {
  const alice = await makeAccount("alice");
  const bob = await makeAccount("bob");
  const e = await makeDirectEpoch(alice, bob);
  const sealed = await sealEnvelope(env, {
    header: { conversationId: e.conversationId, epoch: 0, keyId: e.bundle.keyId, senderAccountId: alice.state.accountId, senderDeviceId: alice.device.deviceId, senderLogSeq: 0, senderLogHead: alice.state.head.hash, counter: 1, prevHash: new Uint8Array(32), clientMessageId: randomClientMessageId() },
    ck: e.ck,
    signingKey: alice.device.signing.privateKey,
    body: { kind: "text", text: "edges", sentAt: 1 },
  });
  const keys = await deriveRecoveryKeys(env, generateRecoveryKey(env));
  const recoveryBlob = await sealRecoveryBlob(env, { accountId: alice.state.accountId, counter: 1, recoveryBoxKey: keys.box.publicKey, secrets: { identityKey: new Uint8Array(48), historyGeneration: 0, historyKey: new Uint8Array(48) } });
  const passphraseBlob = await sealPassphraseBlob(env, { accountId: alice.state.accountId, params: { ...KDF_DEFAULTS, salt: new Uint8Array(16) }, keys: { wrapKey: new Uint8Array(32), accessToken: new Uint8Array(32) }, recoveryKey: new Uint8Array(16) });
  const offer = await createLinkOffer(env, new Uint8Array(16), 1_000);
  const offerBytes = fromBase64url(offer.text.slice("sealed-link:".length));
  const keyFile = new TextEncoder().encode(encodeKeyFile({ username: "alice", recoveryBlob }));
  formats.push(
    { name: "log entry", sample: alice.log[0]!, decode: decodeEntry },
    { name: "epoch bundle", sample: e.bytes, decode: decodeBundle },
    { name: "envelope", sample: sealed.bytes, decode: decodeEnvelope },
    { name: "link offer", sample: offerBytes, decode: (b) => parseLinkOffer(`sealed-link:${toBase64url(b)}`, 1_000) },
    { name: "link message", sample: encodeLinkMessage({ type: "done", seq: 3 }), decode: decodeLinkMessage },
    { name: "recovery blob", sample: recoveryBlob, decode: decodeRecoveryBlobHeader },
    { name: "passphrase blob", sample: passphraseBlob, decode: decodePassphraseBlob },
    {
      name: "key file",
      sample: keyFile,
      decode: (b) => decodeKeyFile(new TextDecoder().decode(b)),
      versionAt: -1,
    },
  );
});

describe("every format refuses truncation, extension and unknown versions", () => {
  it("decodes each valid sample", () => {
    expect(formats).toHaveLength(8);
    for (const f of formats) expect(() => f.decode(f.sample), f.name).not.toThrow();
  });

  it("refuses each sample truncated by one byte and by half", async () => {
    for (const f of formats) {
      // A key file is text: cut inside its base64 body, not its final newline.
      const sample = f.name === "key file" ? new TextEncoder().encode(new TextDecoder().decode(f.sample).trim()) : f.sample;
      for (const cut of [sample.length - 1, Math.floor(sample.length / 2)]) {
        const code = await codeOf(() => f.decode(sample.slice(0, cut)));
        expect([f.name, ["malformed", "out_of_bounds"].includes(code)]).toEqual([f.name, true]);
      }
    }
  });

  it("refuses each sample extended by one byte", async () => {
    for (const f of formats) {
      const ext = f.name === "key file" ? new TextEncoder().encode(new TextDecoder().decode(f.sample).trim() + "A\n") : new Uint8Array([...f.sample, 0]);
      const code = await codeOf(() => f.decode(ext));
      expect([f.name, ["malformed", "out_of_bounds"].includes(code)]).toEqual([f.name, true]);
    }
  });

  it("refuses an unknown version", async () => {
    for (const f of formats) {
      if (f.versionAt === -1) continue;
      const bad = f.sample.slice();
      bad[0] = 0x7f;
      const code = await codeOf(() => f.decode(bad));
      expect([f.name, code]).toEqual([f.name, "unsupported_version"]);
    }
    expect(await codeOf(() => decodeKeyFile("SEALED KEY FILE v2\nAQ"))).toBe("malformed");
  });
});
