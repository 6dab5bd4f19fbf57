// Runtime-neutral (Chromium page and Node): times the per-message crypto of sending and receiving.
import { decodeEnvelope, envelopeSigningInput, openEnvelope, sealEnvelope, type EnvelopeHeader } from "../../../protocol/envelope.js";
import { ClientMessageId } from "../../../protocol/ids.js";
import { HASH_BYTES, labelled, sign, verify } from "../../../protocol/primitives.js";
import { Label } from "../../../protocol/labels.js";
import type { CryptoEnv } from "../../../protocol/subtle.js";
import { makeAccount } from "../../../tests/support/account.js";
import { makeEpochBundle } from "../../../tests/support/conversation.js";
import { ConversationId } from "../../../protocol/ids.js";
import { decodeBody, encodeBody, encodePaddedBody } from "../../../protocol/content.js";
import { legacyDecodeBody } from "./legacy-body.js";
import { timePerCall, timePerCallConcurrent, timeSync } from "./timing.js";

export interface EnvelopeTimingParams {
  /** Message text sizes in bytes. */
  readonly sizes: readonly number[];
  /** Calls timed back to back per round; the round's time divided by this is one sample. */
  readonly callsPerRound: number;
  readonly rounds: number;
  readonly warmupRounds: number;
  /** Also time `concurrency` calls in flight at once (Node gains from this; Chromium does not). */
  readonly concurrency?: number;
}

/** Microseconds per call, one sample per round, per operation. */
export interface EnvelopeSamples {
  readonly size: number;
  /** Bytes of the sealed envelope (header, IV, padded ciphertext, signature). */
  readonly envelopeBytes: number;
  /** One bare AES-256-GCM encrypt of the same `size` bytes (no padding, no AAD), same key. */
  readonly aesEncrypt: number[];
  /** sealEnvelope: body encoding, padding, AES-GCM, Ed25519 sign, envelope hash. */
  readonly seal: number[];
  /** decodeEnvelope + openEnvelope: parse, checks, Ed25519 key import and verify, AES-GCM decrypt, unpad. */
  readonly open: number[];
  /** Parts, for the breakdown: Ed25519 sign and verify (with key import) of the envelope's signing input. */
  readonly sign: number[];
  readonly verify: number[];
  /**
   * The floor of issue 23: bare WebCrypto with keys already imported, each call awaited in turn. Send:
   * AES-256-GCM encrypt + Ed25519 sign; receive: AES-256-GCM decrypt + Ed25519 verify, of the same bytes.
   */
  readonly floorSend: number[];
  readonly floorReceive: number[];
  /**
   * Not the floor of issue 23, for reference: floorSend plus the one more WebCrypto call sending needs, the
   * SHA-256 envelope hash (over the signed envelope, so it cannot start before the signature exists).
   */
  readonly floorSendWithHash: number[];
  /**
   * Not the floor of issue 23, for reference: the three WebCrypto calls sealEnvelope makes, on exactly its
   * inputs (AES-256-GCM of the padded body with the labelled header as AAD, Ed25519 sign of the signing
   * input, SHA-256 of the labelled envelope), keys imported once, awaited in turn. seal ÷ this is what the
   * envelope's own JavaScript adds.
   */
  readonly envelopeCallsSend: number[];
  readonly sealConcurrent: number[];
  readonly openConcurrent: number[];
  /**
   * The body decoder alone, on the same body bytes: today's (protocol/content.ts decodeBody, with content
   * kinds) and the one before kinds (core/legacy-body.ts), for the receive-cost comparison.
   */
  readonly decodeBody: number[];
  readonly decodeBodyLegacy: number[];
}

/** Body decodes per sample: one takes about a microsecond, far below the page clock's resolution. */
export const DECODES_PER_ROUND = 20_000;

/** Sizes are of the message text; a text of `size` bytes of "a" is what gets sealed. */
export async function timeEnvelopes(env: CryptoEnv, p: EnvelopeTimingParams): Promise<EnvelopeSamples[]> {
  const alice = await makeAccount("bench_alice");
  const bob = await makeAccount("bench_bob");
  const conversationId = ConversationId.fromBytes(env.randomBytes(16));
  const epoch = await makeEpochBundle(alice, conversationId, [alice, bob]);
  const header = (): Omit<EnvelopeHeader, "version"> => ({
    conversationId,
    epoch: epoch.epoch,
    keyId: epoch.keyId,
    senderAccountId: alice.accountId,
    senderDeviceId: alice.deviceId,
    senderLogSeq: alice.state.head.seq,
    senderLogHead: alice.state.head.hash,
    counter: 1,
    prevHash: new Uint8Array(HASH_BYTES),
    clientMessageId: ClientMessageId.fromBytes(env.randomBytes(16)),
  });
  const signingKey = alice.keys.deviceSigning.privateKey;
  const signingPublic = alice.state.devices[0]?.signingKey;
  if (!signingPublic) throw new Error("no device");

  // Sizes are interleaved within each round, and every operation of a round runs back to back, so a
  // round's ratios compare calls made under the same machine load.
  const cases = await Promise.all(
    p.sizes.map(async (size) => {
      const text = "a".repeat(size);
      const seal = () => sealEnvelope(env, { header: header(), ck: epoch.ck, signingKey, body: { kind: "text", text, sentAt: Date.now() } });
      const first = (await seal()).bytes;
      const samples: EnvelopeSamples = { size, envelopeBytes: first.length, aesEncrypt: [], seal: [], open: [], sign: [], verify: [], floorSend: [], floorReceive: [], floorSendWithHash: [], envelopeCallsSend: [], sealConcurrent: [], openConcurrent: [], decodeBody: [], decodeBodyLegacy: [] };
      // sealEnvelope's own WebCrypto inputs, made once the way it makes them (docs/PROTOCOL.md "Message envelope").
      const d = decodeEnvelope(first);
      const calls = {
        iv: d.iv,
        aad: labelled(Label.envelopeAad, d.headerBytes),
        padded: encodePaddedBody({ kind: "text", text, sentAt: Date.now() }),
        signingInput: envelopeSigningInput(d.headerBytes, d.iv, d.ciphertext),
        hashInput: labelled(Label.envelopeHash, first),
      };
      return {
        body: encodeBody({ kind: "text", text, sentAt: Date.now() }), plain: new TextEncoder().encode(text), seal, samples, signingInput: first.subarray(0, first.length - 64), signature: first.subarray(first.length - 64), envelope: first, calls };
    }),
  );
  const verifyKey = await env.subtle.importKey("raw", signingPublic, { name: "Ed25519" }, false, ["verify"]);
  const floorIv = env.randomBytes(12);
  const open = (bytes: Uint8Array) => openEnvelope(env, decodeEnvelope(bytes), { conversationId, sender: alice.state, ck: epoch.ck, keyId: epoch.keyId });
  for (let round = 0; round < p.warmupRounds + p.rounds; round++) {
    const keep = round >= p.warmupRounds;
    for (const c of cases) {
      const sealed: Uint8Array[] = [];
      const aes = await timePerCall(p.callsPerRound, () => env.subtle.encrypt({ name: "AES-GCM", iv: env.randomBytes(12) }, epoch.ck, c.plain));
      const sealUs = await timePerCall(p.callsPerRound, async () => void sealed.push((await c.seal()).bytes));
      const openUs = await timePerCall(p.callsPerRound, (i) => open(sealed[i] as Uint8Array));
      const signUs = await timePerCall(p.callsPerRound, () => sign(env, signingKey, c.signingInput));
      const verifyUs = await timePerCall(p.callsPerRound, () => verify(env, signingPublic, c.signature, c.signingInput));
      const floorSendUs = await timePerCall(p.callsPerRound, async () => {
        await env.subtle.encrypt({ name: "AES-GCM", iv: floorIv }, epoch.ck, c.plain);
        await env.subtle.sign({ name: "Ed25519" }, signingKey, c.signingInput);
      });
      const floorSendWithHashUs = await timePerCall(p.callsPerRound, async () => {
        await env.subtle.encrypt({ name: "AES-GCM", iv: floorIv }, epoch.ck, c.plain);
        await env.subtle.sign({ name: "Ed25519" }, signingKey, c.signingInput);
        await env.subtle.digest("SHA-256", c.envelope);
      });
      const envelopeCallsUs = await timePerCall(p.callsPerRound, async () => {
        await env.subtle.encrypt({ name: "AES-GCM", iv: c.calls.iv, additionalData: c.calls.aad }, epoch.ck, c.calls.padded);
        await env.subtle.sign({ name: "Ed25519" }, signingKey, c.calls.signingInput);
        await env.subtle.digest("SHA-256", c.calls.hashInput);
      });
      const floorCipher = new Uint8Array(await env.subtle.encrypt({ name: "AES-GCM", iv: floorIv }, epoch.ck, c.plain));
      const floorReceiveUs = await timePerCall(p.callsPerRound, async () => {
        await env.subtle.verify({ name: "Ed25519" }, verifyKey, c.signature, c.signingInput);
        await env.subtle.decrypt({ name: "AES-GCM", iv: floorIv }, epoch.ck, floorCipher);
      });
      // Alternated so that both decoders run under the same load in every round.
      const decodeUs = timeSync(DECODES_PER_ROUND, () => decodeBody(c.body));
      const legacyUs = timeSync(DECODES_PER_ROUND, () => legacyDecodeBody(c.body));
      if (p.concurrency) {
        const sealC = await timePerCallConcurrent(p.callsPerRound, p.concurrency, c.seal);
        const openC = await timePerCallConcurrent(p.callsPerRound, p.concurrency, (i) => open(sealed[i] as Uint8Array));
        if (keep) c.samples.sealConcurrent.push(sealC), c.samples.openConcurrent.push(openC);
      }
      if (keep) {
        c.samples.aesEncrypt.push(aes);
        c.samples.seal.push(sealUs);
        c.samples.open.push(openUs);
        c.samples.sign.push(signUs);
        c.samples.verify.push(verifyUs);
        c.samples.floorSend.push(floorSendUs);
        c.samples.floorReceive.push(floorReceiveUs);
        c.samples.floorSendWithHash.push(floorSendWithHashUs);
        c.samples.envelopeCallsSend.push(envelopeCallsUs);
        c.samples.decodeBody.push(decodeUs);
        c.samples.decodeBodyLegacy.push(legacyUs);
      }
    }
  }
  return cases.map((c) => c.samples);
}
