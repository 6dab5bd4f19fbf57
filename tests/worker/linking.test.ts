import { afterEach, expect, test } from "vitest";
import { accountLogResponse, linkFramesResponse, type LinkSide } from "../../protocol/api.js";
import { bytesEqual, fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { EntryKind, SignerRole, assembleEntry, decodeEntryBody, encodeEntryBody, signEntryBody, verifyLog, LOG_VERSION } from "../../protocol/device-log.js";
import { decodeAddDevicePayload, encodeAddDevicePayload } from "../../protocol/log-payloads.js";
import { createLinkOffer, createLinkResponder, deriveLinkChannel, openLinkFrame, parseLinkOffer, sealLinkFrame, type LinkChannel, type LinkMessage, verifyLinkAccept } from "../../protocol/link.js";
import { exportPublic } from "../../protocol/primitives.js";
import type { Key } from "../../protocol/subtle.js";
import { createAccount, logIn } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { asDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { deleteLink, getLinkFrames, openLink, postLinkFrame, respondToLink, type LinkCaller } from "../support/link-relay.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

/** One side of the channel over the relay: sends its own frames, reads the peer's in order. */
function endpoint(linkId: string, side: LinkSide, as: LinkCaller, channel: LinkChannel) {
  const peer: LinkSide = side === "new" ? "existing" : "new";
  let after = 0;
  return {
    async send(m: LinkMessage): Promise<void> {
      const res = await postLinkFrame(api, linkId, side, await sealLinkFrame(testCrypto, channel, m), as);
      expect(res.status).toBe(201);
    },
    async receive(): Promise<LinkMessage> {
      const res = await getLinkFrames(api, linkId, peer, after, as);
      expect(res.status).toBe(200);
      const [next] = linkFramesResponse.parse(await res.json()).frames;
      if (!next) throw new Error(`no frame from the ${peer} device after ${after}`);
      after = next.seq;
      return openLinkFrame(testCrypto, channel, fromBase64url(next.frame));
    },
  };
}

function expectType<T extends LinkMessage["type"]>(m: LinkMessage, type: T): Extract<LinkMessage, { type: T }> {
  expect(m.type).toBe(type);
  return m as Extract<LinkMessage, { type: T }>;
}

test("a new device joins an account through the relay, carrying only ciphertext, and then logs in", async () => {
  const alice = await createAccount(api, "alice"); // the existing device O
  const aliceSocket = await connectRealtime(alice);

  // N: its own keys, a link session and the QR offer.
  const n = await makeDevice();
  const link = await openLink(api);
  const asN = { token: link.newToken };
  const { offer, ephemeralPrivate, text } = await createLinkOffer(testCrypto, fromBase64url(link.linkId), Date.now());

  // O scans the code and answers with its ephemeral key.
  const scanned = parseLinkOffer(text, Date.now());
  const responder = await createLinkResponder(testCrypto);
  expect((await respondToLink(api, alice.cookie, toBase64url(scanned.linkId), responder.ephemeralKey)).status).toBe(200);

  // N polls until it sees O's key; both derive the channel.
  const polled = linkFramesResponse.parse(await (await getLinkFrames(api, link.linkId, "existing", 0, asN)).json());
  expect(polled.responder).not.toBeNull();
  const nChannel = await deriveLinkChannel(testCrypto, { role: "new", offer, ownPrivate: ephemeralPrivate, newEphemeral: offer.ephemeralKey, existingEphemeral: fromBase64url(polled.responder!.ephemeralKey) });
  const oChannel = await deriveLinkChannel(testCrypto, { role: "existing", offer: scanned, ownPrivate: responder.ephemeralPrivate, newEphemeral: scanned.ephemeralKey, existingEphemeral: responder.ephemeralKey });
  const N = endpoint(link.linkId, "new", asN, nChannel);
  const O = endpoint(link.linkId, "existing", { cookie: alice.cookie }, oChannel);

  // hello: O hears of it by push, then reads it.
  await N.send({ type: "hello", deviceName: "Laptop", deviceSigningKey: n.signingPublic, deviceBoxKey: n.boxPublic });
  expect(await aliceSocket.inbox.waitFor("link")).toEqual({ type: "link", linkId: link.linkId });
  const hello = expectType(await O.receive(), "hello");
  expect(hello.deviceName).toBe("Laptop");

  // accept and secrets: O sends the account and its keys (PKCS#8 of its transferable copies).
  const pkcs8 = async (key: Key) => new Uint8Array((await testCrypto.subtle.exportKey("pkcs8", key)) as ArrayBuffer);
  await O.send({ type: "accept", genesis: alice.genesis });
  await O.send({
    type: "secrets",
    identityKey: await pkcs8(alice.keys.identity.privateKey),
    historyGeneration: 0,
    historyKey: await pkcs8(alice.keys.history.privateKey),
    headSeq: alice.state.head.seq,
    headHash: alice.state.head.hash,
  });
  const accept = await verifyLinkAccept(testCrypto, expectType(await N.receive(), "accept"));
  const secrets = expectType(await N.receive(), "secrets");
  expect(accept.accountId).toBe(alice.accountId);

  // request: N builds its add-device entry on the head O named and signs it as the new device.
  const body = encodeEntryBody({
    version: LOG_VERSION,
    kind: EntryKind.addDevice,
    seq: secrets.headSeq + 1,
    prev: secrets.headHash,
    createdAt: Date.now(),
    payload: encodeAddDevicePayload({ deviceSigningKey: n.signingPublic, deviceBoxKey: n.boxPublic }),
  });
  const nSignature = await signEntryBody(testCrypto, body, { role: SignerRole.newDevice, privateKey: n.signing.privateKey, publicKey: n.signingPublic });
  await N.send({ type: "request", entryBody: body, signature: nSignature.signature });

  // O checks the body against hello, co-signs with the AIK and its DSK, and stores it.
  const request = expectType(await O.receive(), "request");
  const fields = decodeEntryBody(request.entryBody);
  const payload = decodeAddDevicePayload(fields.payload);
  expect(fields.kind).toBe(EntryKind.addDevice);
  expect(fields.seq).toBe(alice.state.head.seq + 1);
  expect(bytesEqual(payload.deviceSigningKey, hello.deviceSigningKey) && bytesEqual(payload.deviceBoxKey, hello.deviceBoxKey)).toBe(true);
  const entry = assembleEntry(request.entryBody, [
    await signEntryBody(testCrypto, request.entryBody, { role: SignerRole.identity, privateKey: alice.keys.identity.privateKey, publicKey: alice.state.identityKey }),
    await signEntryBody(testCrypto, request.entryBody, { role: SignerRole.device, privateKey: alice.keys.deviceSigning.privateKey, publicKey: await exportPublic(testCrypto, alice.keys.deviceSigning.publicKey) }),
    { role: SignerRole.newDevice, key: hello.deviceSigningKey, signature: request.signature },
  ]);
  const stored = await postLogEntry(api, alice.cookie, alice.accountId, { b64: toBase64url(entry) });
  expect(stored.status).toBe(201);
  const { seq } = (await stored.json()) as { seq: number };
  await O.send({ type: "done", seq });
  expect(expectType(await N.receive(), "done").seq).toBe(1);

  // N logs in as a device of the account, fetches the log and finds itself on it.
  const cookie = await logIn(api, asDevice(alice, n));
  const log = accountLogResponse.parse(await (await api.call("GET", `/api/accounts/${accept.accountId}/log`, { cookie })).json());
  const state = await verifyLog(testCrypto, log.log.map(fromBase64url), accept.accountId);
  expect(state.devices.map((d) => d.deviceId)).toEqual([alice.deviceId, n.deviceId]);

  // Done: N ends the link, and nothing of it is left to read.
  expect((await deleteLink(api, link.linkId, asN)).status).toBe(204);
  await expectError(await getLinkFrames(api, link.linkId, "new", 0, { cookie: alice.cookie }), 404, "not_found");
});

test("a code photographed by a stranger cannot be read or answered once the owner's device answered", async () => {
  const alice = await createAccount(api, "alice");
  const eve = await createAccount(api, "eve");
  const link = await openLink(api);
  const { text } = await createLinkOffer(testCrypto, fromBase64url(link.linkId), Date.now());
  const responder = await createLinkResponder(testCrypto);
  expect((await respondToLink(api, alice.cookie, link.linkId, responder.ephemeralKey)).status).toBe(200);
  // Eve holds everything in the QR code, but not N's token nor Alice's session.
  const seen = parseLinkOffer(text, Date.now());
  await expectError(await respondToLink(api, eve.cookie, toBase64url(seen.linkId), (await createLinkResponder(testCrypto)).ephemeralKey), 409, "link_taken");
  await expectError(await getLinkFrames(api, link.linkId, "new", 0, { cookie: eve.cookie }), 403, "forbidden");
  await expectError(await postLinkFrame(api, link.linkId, "new", new Uint8Array(40), { cookie: eve.cookie }), 401, "unauthenticated");
});
