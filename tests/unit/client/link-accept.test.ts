import { describe, expect, test } from "vitest";
import {
  AccountId,
  Writer,
  createLinkResponder,
  cryptoEnvFrom,
  deriveLinkChannel,
  parseLinkOffer,
  sealLinkFrame,
  toBase64url,
  type LinkChannel,
} from "../../../protocol/index.js";
import { aesGcmEncrypt, labelled } from "../../../protocol/primitives.js";
import { Label } from "../../../protocol/labels.js";
import { getAccount } from "../../../web/src/client/store/db.js";
import { linkAsNewDevice, type NewDeviceStep } from "../../../web/src/client/link/link-new.js";
import type { LinkApi } from "../../../web/src/client/transport/link-api.js";
import { makeAccount } from "../../support/account.js";
import { clientOn, FakeServer } from "./helpers.js";

// Issue 15 item 4: whoever answers the link code first (someone who photographed the QR code) used to
// name any username in its accept; the new device asked "You are joining @alice?" and then joined the
// stranger's account. The accept now carries the account's genesis entry, whose hash is the account id
// the new device joins, so the name and fingerprint on the confirm screen are the joined account's.

const env = cryptoEnvFrom(globalThis.crypto);

/** A link relay in memory: the new device's calls, and a handle for whoever answers the code. */
class Relay {
  code = "";
  responder: string | null = null;
  readonly toNew: string[] = [];
  readonly api = {
    createLink: async () => ({ linkId: toBase64url(env.randomBytes(16)), newToken: toBase64url(env.randomBytes(32)), expiresAt: Date.now() + 600_000 }),
    frames: async (_id: string, _from: string, after: number) => ({
      frames: this.toNew.map((frame, i) => ({ seq: i + 1, frame })).filter((f) => f.seq > after),
      responder: this.responder === null ? null : { ephemeralKey: this.responder },
      expiresAt: Date.now() + 600_000,
    }),
    postFrame: async () => ({ seq: 1 }),
    deleteLink: async () => undefined,
  };

  /** The photographer: answers the code it saw and returns its end of the channel. */
  async answer(): Promise<LinkChannel> {
    const offer = parseLinkOffer(this.code, Date.now());
    const r = await createLinkResponder(env);
    this.responder = toBase64url(r.ephemeralKey);
    return deriveLinkChannel(env, { role: "existing", offer, ownPrivate: r.ephemeralPrivate, newEphemeral: offer.ephemeralKey, existingEphemeral: r.ephemeralKey });
  }
}

/** Runs the new device until it asks the user; answers no. Returns what the confirm screen showed. */
async function newDeviceAsks(relay: Relay, send: (ch: LinkChannel) => Promise<void>) {
  const client = clientOn(new FakeServer());
  const steps: NewDeviceStep[] = [];
  const asked: string[] = [];
  // The relay plays the server's link calls: the context carries it as the link transport.
  const run = linkAsNewDevice({ ...client.ctx, linkApi: relay.api as unknown as LinkApi }, {
    deviceName: () => "New laptop",
    onStep: (s) => {
      steps.push(s);
      if (s.step === "showing") relay.code = s.code;
    },
    confirmAccount: async (username) => (asked.push(username), false),
    signal: new AbortController().signal,
  }).catch((e: unknown) => e);
  while (!relay.code) await new Promise((r) => setTimeout(r, 5));
  const ch = await relay.answer();
  await send(ch);
  const outcome = await run;
  return { outcome, asked, confirm: steps.find((s) => s.step === "confirm-account"), joined: await getAccount(client.db) };
}

/** A frame as the version-1 protocol sealed it, for a message given as raw bytes. */
async function rawFrame(ch: LinkChannel, message: Uint8Array, version: number): Promise<string> {
  const seq = ch.sendSeq++;
  const iv = new Uint8Array(12);
  iv[0] = 2;
  new DataView(iv.buffer).setUint32(8, seq);
  const aad = labelled(Label.linkFrame, ch.linkId, Uint8Array.of(2), new Writer().u32(seq).finish());
  const ct = await aesGcmEncrypt(env, ch.sendKey, iv, aad, message);
  return toBase64url(new Writer().u8(version).u8(2).u32(seq).fixed(ct, ct.length).finish());
}

describe("the account named on the link confirm screen", () => {
  test("an accept naming @alice for another account's id is never shown as @alice", async () => {
    const mallory = await makeAccount("mallory");
    const relay = new Relay();
    const r = await newDeviceAsks(relay, async (ch) => {
      // The version-1 accept: account id, then a username the sender chose freely.
      const accept = new Writer().u8(2).fixed(AccountId.toBytes(mallory.accountId), 32).str("alice").finish();
      for (const version of [1, 2]) relay.toNew.push(await rawFrame({ ...ch, sendSeq: 0 }, accept, version));
    });
    expect(r.asked).toEqual([]);
    expect(r.confirm).toBeUndefined();
    expect(r.outcome).toMatchObject({ code: expect.stringMatching(/unsupported_version|malformed|out_of_bounds|identity_mismatch/) });
    expect(r.joined).toBeUndefined();
  });

  test("the confirm screen shows the username and fingerprint proven by the genesis entry", async () => {
    const mallory = await makeAccount("mallory");
    const relay = new Relay();
    const r = await newDeviceAsks(relay, async (ch) => {
      relay.toNew.push(toBase64url(await sealLinkFrame(env, ch, { type: "accept", genesis: mallory.genesis })));
    });
    expect(r.asked).toEqual(["mallory"]);
    expect(r.confirm).toMatchObject({ step: "confirm-account", username: "mallory", accountId: mallory.accountId });
    expect(r.confirm && "fingerprint" in r.confirm ? r.confirm.fingerprint : "").toMatch(/^[0-9A-Z]{4}( [0-9A-Z]{4}){3}$/);
    expect(r.outcome).toMatchObject({ code: "link_cancelled" });
  });

  test("a genesis entry whose signatures do not verify is refused before anything is shown", async () => {
    const alice = await makeAccount("alice");
    const forged = Uint8Array.from(alice.genesis);
    forged[forged.length - 1]! ^= 1;
    const relay = new Relay();
    const r = await newDeviceAsks(relay, async (ch) => {
      relay.toNew.push(toBase64url(await sealLinkFrame(env, ch, { type: "accept", genesis: forged })));
    });
    expect(r.asked).toEqual([]);
    expect(r.outcome).toMatchObject({ code: "bad_signature" });
  });
});

