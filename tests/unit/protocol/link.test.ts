import { describe, expect, it } from "vitest";
import {
  accountFingerprint,
  verifyLinkAccept,
  MAX_LINK_GENESIS_BYTES,
  decodeLinkMessage,
  Writer,
  EntryKind,
  LOG_VERSION,
  SignerRole,
  assembleEntry,
  createLinkOffer,
  createLinkResponder,
  decodeEntryBody,
  deriveLinkChannel,
  encodeAddDevicePayload,
  encodeEntryBody,
  encodeLinkOffer,
  exportPublic,
  openLinkFrame,
  parseLinkOffer,
  sealLinkFrame,
  signEntryBody,
  verifyLog,
  type LinkChannel,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount, makeDevice } from "./fixtures.js";

const NOW = 1_800_000_000_000;

async function handshake() {
  const n = await createLinkOffer(env, env.randomBytes(16), NOW);
  const scanned = parseLinkOffer(n.text, NOW + 5_000);
  const o = await createLinkResponder(env);
  const keys = { newEphemeral: n.offer.ephemeralKey, existingEphemeral: o.ephemeralKey };
  const newSide = await deriveLinkChannel(env, { role: "new", offer: n.offer, ownPrivate: n.ephemeralPrivate, ...keys });
  const existingSide = await deriveLinkChannel(env, { role: "existing", offer: scanned, ownPrivate: o.ephemeralPrivate, ...keys });
  return { n, o, newSide, existingSide, keys };
}

describe("link offer (QR code contents)", () => {
  it("round-trips and refuses stale, future, foreign and altered codes", async () => {
    const { text, offer } = await createLinkOffer(env, env.randomBytes(16), NOW);
    expect(text.startsWith("sealed-link:")).toBe(true);
    expect(parseLinkOffer(` ${text}\n`, NOW)).toEqual(offer);
    expect(await codeOf(() => parseLinkOffer(text, NOW + 6 * 60_000))).toBe("expired");
    expect(await codeOf(() => parseLinkOffer(text, NOW - 2 * 60_000))).toBe("expired");
    expect(await codeOf(() => parseLinkOffer("https://example.com/?x", NOW))).toBe("malformed");
    expect(await codeOf(() => parseLinkOffer(text.slice(0, -2), NOW))).toBe("malformed");
    expect(await codeOf(() => parseLinkOffer(encodeLinkOffer(offer).replace("sealed-link:A", "sealed-link:B"), NOW))).toBe("unsupported_version");
  });
});

describe("link channel", () => {
  it("carries the whole linking exchange and ends with a log entry both devices signed", async () => {
    const alice = await makeAccount("alice");
    const fresh = await makeDevice();
    const { newSide, existingSide } = await handshake();
    const send = (from: LinkChannel, to: LinkChannel, m: Parameters<typeof sealLinkFrame>[2]) => sealLinkFrame(env, from, m).then((f) => openLinkFrame(env, to, f));

    expect(await send(newSide, existingSide, { type: "hello", deviceName: "Alice's laptop", deviceSigningKey: fresh.signingPub, deviceBoxKey: fresh.boxPub })).toMatchObject({ type: "hello", deviceName: "Alice's laptop" });
    const accept = await send(existingSide, newSide, { type: "accept", genesis: alice.log[0]! });
    if (accept.type !== "accept") throw new Error("expected accept");
    expect(await verifyLinkAccept(env, accept)).toEqual({ accountId: alice.state.accountId, username: "alice", fingerprint: accountFingerprint(alice.state.accountId) });
    const aikPkcs8 = new Uint8Array((await env.subtle.exportKey("pkcs8", alice.identity.privateKey)) as ArrayBuffer);
    const ahkPkcs8 = new Uint8Array((await env.subtle.exportKey("pkcs8", alice.history.privateKey)) as ArrayBuffer);
    const secrets = await send(existingSide, newSide, { type: "secrets", identityKey: aikPkcs8, historyGeneration: 0, historyKey: ahkPkcs8, headSeq: alice.state.head.seq, headHash: alice.state.head.hash });
    if (secrets.type !== "secrets") throw new Error("expected secrets");

    // N builds and signs its add-device entry on the head O named; O checks it and co-signs.
    const body = encodeEntryBody({ version: LOG_VERSION, kind: EntryKind.addDevice, seq: secrets.headSeq + 1, prev: secrets.headHash, createdAt: NOW, payload: encodeAddDevicePayload({ deviceSigningKey: fresh.signingPub, deviceBoxKey: fresh.boxPub }) });
    const own = await signEntryBody(env, body, { role: SignerRole.newDevice, privateKey: fresh.signing.privateKey, publicKey: fresh.signingPub });
    const request = await send(newSide, existingSide, { type: "request", entryBody: body, signature: own.signature });
    if (request.type !== "request") throw new Error("expected request");
    expect(decodeEntryBody(request.entryBody)).toMatchObject({ kind: EntryKind.addDevice, seq: 1 });
    const entry = assembleEntry(request.entryBody, [
      await signEntryBody(env, request.entryBody, { role: SignerRole.identity, privateKey: alice.identity.privateKey, publicKey: await exportPublic(env, alice.identity.publicKey) }),
      await signEntryBody(env, request.entryBody, { role: SignerRole.device, privateKey: alice.device.signing.privateKey, publicKey: alice.device.signingPub }),
      { role: SignerRole.newDevice, key: fresh.signingPub, signature: request.signature },
    ]);
    const state = await verifyLog(env, [...alice.log, entry], alice.state.accountId);
    expect(state.devices).toHaveLength(2);
    expect(await send(existingSide, newSide, { type: "done", seq: 1 })).toEqual({ type: "done", seq: 1 });
  });

  it("someone with a photo of the QR code but not the new device's key can neither read nor pose as it", async () => {
    const { n, o, newSide, existingSide } = await handshake();
    // The attacker knows the offer (link id, N's public key, secret) and makes its own ephemeral key.
    const thief = await createLinkResponder(env);
    const thiefAsExisting = await deriveLinkChannel(env, { role: "existing", offer: n.offer, ownPrivate: thief.ephemeralPrivate, newEphemeral: n.offer.ephemeralKey, existingEphemeral: o.ephemeralKey });
    const frame = await sealLinkFrame(env, newSide, { type: "hello", deviceName: "laptop", deviceSigningKey: new Uint8Array(32), deviceBoxKey: new Uint8Array(32) });
    expect(await codeOf(() => openLinkFrame(env, thiefAsExisting, frame))).toBe("decrypt_failed");
    // Posing as N toward O: without N's ephemeral private key the thief derives other keys.
    const thiefAsNew = await deriveLinkChannel(env, { role: "new", offer: n.offer, ownPrivate: thief.ephemeralPrivate, newEphemeral: n.offer.ephemeralKey, existingEphemeral: o.ephemeralKey });
    const forged = await sealLinkFrame(env, thiefAsNew, { type: "hello", deviceName: "evil", deviceSigningKey: new Uint8Array(32), deviceBoxKey: new Uint8Array(32) });
    expect(await codeOf(() => openLinkFrame(env, existingSide, forged))).toBe("decrypt_failed");
  });

  it("refuses a wrong secret, reflected, replayed, reordered and altered frames", async () => {
    const { n, o, newSide, existingSide, keys } = await handshake();
    const wrongSecret = await deriveLinkChannel(env, { role: "existing", offer: { ...n.offer, secret: new Uint8Array(32) }, ownPrivate: o.ephemeralPrivate, ...keys });
    const f0 = await sealLinkFrame(env, newSide, { type: "done", seq: 0 });
    expect(await codeOf(() => openLinkFrame(env, wrongSecret, f0))).toBe("decrypt_failed");
    const f1 = await sealLinkFrame(env, newSide, { type: "done", seq: 1 });
    expect(await codeOf(() => openLinkFrame(env, existingSide, f1))).toBe("malformed"); // skipped frame 0
    await openLinkFrame(env, existingSide, f0);
    expect(await codeOf(() => openLinkFrame(env, existingSide, f0))).toBe("replay");
    const altered = f1.slice();
    altered[altered.length - 1]! ^= 1;
    expect(await codeOf(() => openLinkFrame(env, existingSide, altered))).toBe("decrypt_failed");
    const back = await sealLinkFrame(env, existingSide, { type: "done", seq: 0 });
    expect(await codeOf(() => openLinkFrame(env, existingSide, back))).toBe("wrong_context"); // reflected to its sender
  });
});

describe("link accept (version 2)", () => {
  it("is bounded on decode: an empty or oversized genesis and the version-1 layout are refused", async () => {
    const accept = (n: number) => new Writer().u8(2).vbytes(new Uint8Array(n)).finish();
    expect(await codeOf(async () => decodeLinkMessage(accept(0)))).toBe("out_of_bounds");
    expect(await codeOf(async () => decodeLinkMessage(accept(MAX_LINK_GENESIS_BYTES + 1)))).toBe("out_of_bounds");
    // Version 1: a 32-byte account id, then a username the sender chose.
    const v1 = new Writer().u8(2).fixed(new Uint8Array(32), 32).str("alice").finish();
    expect(await codeOf(async () => decodeLinkMessage(v1))).toMatch(/out_of_bounds|malformed/);
  });

  it("proves the account: a genesis that does not verify, or any entry but a genesis, is refused", async () => {
    const alice = await makeAccount("alice");
    const tampered = Uint8Array.from(alice.log[0]!);
    tampered[tampered.length - 1]! ^= 1;
    expect(await codeOf(() => verifyLinkAccept(env, { type: "accept", genesis: tampered }))).toBe("bad_signature");
    const fingerprint = accountFingerprint(alice.state.accountId);
    expect(fingerprint).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}( [0-9A-HJKMNP-TV-Z]{4}){3}$/);
  });
});
