/**
 * The known-answer suite, runtime-neutral: it needs only a WebCrypto and returns results instead of
 * asserting, so Node (unit), workerd (worker) and Chromium (e2e) run exactly the same checks.
 * Project formats are rebuilt from the fixed inputs in formats.json (keys from seeds, randomness from a
 * recorded stream) and must equal the recorded bytes; published vectors go through our wrappers.
 */
import {
  AccountId,
  ClientMessageId,
  ConversationId,
  ProtocolError,
  aesGcmDecrypt,
  aesGcmEncrypt,
  createEpochBundle,
  decodeBody,
  encodeBody,
  encodeBodyFrame,
  DeviceId,
  createLinkOffer,
  createLinkResponder,
  deriveLinkChannel,
  encodeKeyFile,
  openLinkFrame,
  openRecoveryBlob,
  parseLinkOffer,
  sealLinkFrame,
  sealRecoveryBlob,
  decodeEnvelope,
  deriveRecoveryKeys,
  directMembershipHead,
  formatRecoveryKey,
  fromHex,
  hkdf,
  importAesKey,
  importSeed,
  loginSigningInput,
  makeGenesis,
  openEnvelope,
  openEpochBundle,
  safetyNumber,
  sealEnvelope,
  sign,
  toHex,
  verify,
  verifyLog,
  x25519,
  type AccountState,
  type CryptoEnv,
  type KnownContent,
  type MessageRef,
  type Subtle,
} from "../../protocol/index.js";

export interface VectorResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface AccountInput {
  username: string;
  identity_seed: string;
  history_seed: string;
  device_signing_seed: string;
  device_box_seed: string;
  recovery_key: string;
  created_at: number;
}

export interface FormatVectors {
  accounts: { alice: AccountInput; bob: AccountInput };
  expected: {
    alice_genesis: string;
    alice_account_id: string;
    bob_genesis: string;
    recovery_key_text: string;
    bundle: { conversation_id: string; epoch: number; created_at: number; random: string; bytes: string };
    envelope: { text: string; sent_at: number; client_message_id: string; random: string; bytes: string };
    login: { nonce: string; origin: string; expires_at: number; input: string; signature: string };
    safety_number: string;
    link: { link_id: string; random: string; created_at: number; responder_random: string; device_name: string; offer_text: string; hello_frame: string };
    recovery_blob: { counter: number; random: string; identity_pkcs8: string; history_pkcs8: string; bytes: string; key_file: string };
    content: ContentVectors;
  };
}

/** A message ref as JSON: base64url ids, as in the API. */
interface RefInput {
  deviceId: string;
  clientMessageId: string;
}

/** KnownContent as JSON (ids as plain strings, parsed into their brands by knownContent). */
export type ContentInput =
  | { kind: "text"; sentAt: number; text: string }
  | { kind: "reply" | "edit"; sentAt: number; to: RefInput; text: string }
  | { kind: "reaction"; sentAt: number; to: RefInput; emoji: string | null }
  | { kind: "delete"; sentAt: number; to: RefInput }
  | { kind: "receipt"; sentAt: number; mark: "delivered" | "read"; position: number; at: RefInput };

export interface ContentVectors {
  comment: string;
  /** One body of each known kind: its content and the bytes it encodes to. */
  kinds: Array<{ name: string; content: ContentInput; body: string }>;
  /** A kind no version knows: the frame around a payload, and what it decodes to. */
  unknown: { kind_number: number; sent_at: number; payload: string; body: string };
  /** Bodies every runtime must refuse, with the code. */
  refused: Array<{ name: string; body: string; code: string }>;
}

function ref(r: RefInput): MessageRef {
  return { deviceId: DeviceId.parse(r.deviceId), clientMessageId: ClientMessageId.parse(r.clientMessageId) };
}

export function knownContent(c: ContentInput): KnownContent {
  switch (c.kind) {
    case "text":
      return c;
    case "reply":
    case "edit":
      return { kind: c.kind, sentAt: c.sentAt, to: ref(c.to), text: c.text };
    case "reaction":
      return { kind: c.kind, sentAt: c.sentAt, to: ref(c.to), emoji: c.emoji };
    case "delete":
      return { kind: c.kind, sentAt: c.sentAt, to: ref(c.to) };
    case "receipt":
      return { kind: c.kind, sentAt: c.sentAt, mark: c.mark, position: c.position, at: ref(c.at) };
  }
}

export interface PublishedVectors {
  hkdf_sha256: Array<{ source: string; ikm: string; salt: string; info: string; length: number; okm: string }>;
  ed25519: Array<{ source: string; secret: string; public: string; message: string; signature: string }>;
  x25519: Array<{ source: string; alice_private: string; alice_public: string; bob_private: string; bob_public: string; shared: string }>;
  x25519_low_order: string[];
  aes_256_gcm: Array<{ source: string; key: string; iv: string; aad: string; plaintext: string; ciphertext: string; tag: string }>;
}

/** A CryptoEnv whose randomness is a recorded stream: equal inputs give byte-equal outputs. */
export function replayEnv(subtle: Subtle, streamHex: string): CryptoEnv & { remaining(): number } {
  const stream = fromHex(streamHex);
  let off = 0;
  return {
    subtle,
    randomBytes(n: number) {
      if (off + n > stream.length) throw new Error(`random stream exhausted (${stream.length} bytes)`);
      const out = stream.slice(off, off + n);
      off += n;
      return out;
    },
    remaining: () => stream.length - off,
  };
}

async function account(env: CryptoEnv, a: AccountInput) {
  const identity = await importSeed(env, "Ed25519", fromHex(a.identity_seed));
  const history = await importSeed(env, "X25519", fromHex(a.history_seed));
  const dsk = await importSeed(env, "Ed25519", fromHex(a.device_signing_seed));
  const dbk = await importSeed(env, "X25519", fromHex(a.device_box_seed));
  const recovery = await deriveRecoveryKeys(env, fromHex(a.recovery_key));
  const genesis = await makeGenesis(
    env,
    {
      username: a.username,
      identityKey: identity.publicKey,
      recoverySigningKey: recovery.signing.publicKey,
      recoveryBoxKey: recovery.box.publicKey,
      historyGeneration: 0,
      historyKey: history.publicKey,
      deviceSigningKey: dsk.publicKey,
      deviceBoxKey: dbk.publicKey,
    },
    { identity: identity.privateKey, device: dsk.privateKey, recovery: recovery.signing.privateKey },
    a.created_at,
  );
  const state = await verifyLog(env, [genesis.bytes]);
  return { genesis, state, dsk, dbk, history };
}

/** Builds every project format from the fixed inputs. Used both to check and to (re)generate. */
export async function buildFormats(subtle: Subtle, v: FormatVectors) {
  const env = replayEnv(subtle, "");
  const alice = await account(env, v.accounts.alice);
  const bob = await account(env, v.accounts.bob);
  const b = v.expected.bundle;
  const conversationId = ConversationId.parse(b.conversation_id);
  const membershipHead = await directMembershipHead(env, alice.state.accountId, bob.state.accountId);
  const bundleEnv = replayEnv(subtle, b.random);
  const bundle = await createEpochBundle(bundleEnv, {
    conversationId,
    epoch: b.epoch,
    creator: { accountId: alice.state.accountId, deviceId: alice.state.devices[0]!.deviceId, signingKey: alice.dsk.privateKey },
    membershipHead,
    members: [alice.state, bob.state],
    createdAt: b.created_at,
  });
  const e = v.expected.envelope;
  const envelope = await sealEnvelope(replayEnv(subtle, e.random), {
    header: {
      conversationId,
      epoch: b.epoch,
      keyId: bundle.bundle.keyId,
      senderAccountId: alice.state.accountId,
      senderDeviceId: alice.state.devices[0]!.deviceId,
      senderLogSeq: 0,
      senderLogHead: alice.state.head.hash,
      counter: 1,
      prevHash: new Uint8Array(32),
      clientMessageId: ClientMessageId.parse(e.client_message_id),
    },
    ck: bundle.ck,
    signingKey: alice.dsk.privateKey,
    body: { kind: "text", text: e.text, sentAt: e.sent_at },
  });
  const l = v.expected.login;
  const challenge = { nonce: fromHex(l.nonce), origin: l.origin, accountId: alice.state.accountId, deviceId: alice.state.devices[0]!.deviceId, expiresAt: l.expires_at };
  const loginInput = loginSigningInput(challenge);

  const k = v.expected.link;
  const linkEnv = replayEnv(subtle, k.random);
  const n = await createLinkOffer(linkEnv, fromHex(k.link_id), k.created_at);
  const o = await createLinkResponder(replayEnv(subtle, k.responder_random));
  const channel = await deriveLinkChannel(env, { role: "new", offer: n.offer, ownPrivate: n.ephemeralPrivate, newEphemeral: n.offer.ephemeralKey, existingEphemeral: o.ephemeralKey });
  const helloFrame = await sealLinkFrame(env, channel, { type: "hello", deviceName: k.device_name, deviceSigningKey: alice.dsk.publicKey, deviceBoxKey: alice.dbk.publicKey });

  const r = v.expected.recovery_blob;
  const recovery = await deriveRecoveryKeys(env, fromHex(v.accounts.alice.recovery_key));
  const recoveryBlob = await sealRecoveryBlob(replayEnv(subtle, r.random), {
    accountId: alice.state.accountId,
    counter: r.counter,
    recoveryBoxKey: recovery.box.publicKey,
    secrets: { identityKey: fromHex(r.identity_pkcs8), historyGeneration: 0, historyKey: fromHex(r.history_pkcs8) },
  });
  return {
    alice,
    bob,
    conversationId,
    membershipHead,
    bundle,
    envelope,
    loginInput,
    loginSignature: await sign(env, alice.dsk.privateKey, loginInput),
    recoveryKeyText: await formatRecoveryKey(env, fromHex(v.accounts.alice.recovery_key)),
    safetyNumber: await safetyNumber(env, alice.state.accountId, bob.state.accountId),
    linkOfferText: n.text,
    linkHelloFrame: helloFrame,
    recoveryBlob,
    keyFile: encodeKeyFile({ username: v.accounts.alice.username, recoveryBlob }),
    contentBodies: v.expected.content.kinds.map((k) => encodeBody(knownContent(k.content))),
    unknownBody: encodeBodyFrame(v.expected.content.unknown.kind_number, v.expected.content.unknown.sent_at, fromHex(v.expected.content.unknown.payload)),
    randomLeft: { bundle: bundleEnv.remaining(), link: linkEnv.remaining() },
  };
}

/** JSON with object keys sorted: equal values give equal text whatever order their fields were made in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

async function check(results: VectorResult[], name: string, f: () => Promise<string | true>): Promise<void> {
  try {
    const r = await f();
    results.push(r === true ? { name, ok: true } : { name, ok: false, detail: r });
  } catch (e) {
    results.push({ name, ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}

function same(what: string, got: string, want: string): string | true {
  return got === want ? true : `${what}: got ${got.slice(0, 80)}…, want ${want.slice(0, 80)}…`;
}

async function expectCode(f: () => Promise<unknown>, code: string): Promise<string | true> {
  try {
    await f();
    return `accepted; expected ${code}`;
  } catch (e) {
    return e instanceof ProtocolError && e.code === code ? true : `failed with ${e instanceof ProtocolError ? e.code : String(e)}; expected ${code}`;
  }
}

export async function runVectorSuite(subtle: Subtle, published: PublishedVectors, formats: FormatVectors): Promise<VectorResult[]> {
  const env = replayEnv(subtle, "");
  const results: VectorResult[] = [];

  for (const v of published.hkdf_sha256) await check(results, `HKDF ${v.source}`, async () => same("okm", toHex(await hkdf(env, fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length)), v.okm));
  for (const v of published.ed25519) {
    await check(results, `Ed25519 ${v.source}`, async () => {
      const k = await importSeed(env, "Ed25519", fromHex(v.secret));
      const pub = same("public", toHex(k.publicKey), v.public);
      if (pub !== true) return pub;
      const sig = same("signature", toHex(await sign(env, k.privateKey, fromHex(v.message))), v.signature);
      if (sig !== true) return sig;
      return (await verify(env, fromHex(v.public), fromHex(v.signature), fromHex(v.message))) ? true : "does not verify";
    });
  }
  for (const v of published.x25519) {
    await check(results, `X25519 ${v.source}`, async () => {
      const a = await importSeed(env, "X25519", fromHex(v.alice_private));
      const b = await importSeed(env, "X25519", fromHex(v.bob_private));
      const r1 = same("alice public", toHex(a.publicKey), v.alice_public);
      if (r1 !== true) return r1;
      const r2 = same("shared a->b", toHex(await x25519(env, a.privateKey, fromHex(v.bob_public))), v.shared);
      if (r2 !== true) return r2;
      return same("shared b->a", toHex(await x25519(env, b.privateKey, fromHex(v.alice_public))), v.shared);
    });
  }
  for (const point of published.x25519_low_order) {
    await check(results, `X25519 refuses low-order ${point.slice(0, 8)}`, async () => {
      const me = await importSeed(env, "X25519", fromHex(published.x25519[0]!.alice_private));
      return expectCode(() => x25519(env, me.privateKey, fromHex(point)), "low_order_point");
    });
  }
  for (const v of published.aes_256_gcm) {
    await check(results, `AES-256-GCM ${v.source}`, async () => {
      const key = await importAesKey(env, fromHex(v.key), false, ["encrypt", "decrypt"]);
      const out = await aesGcmEncrypt(env, key, fromHex(v.iv), fromHex(v.aad), fromHex(v.plaintext));
      const r = same("ciphertext||tag", toHex(out), v.ciphertext + v.tag);
      if (r !== true) return r;
      return same("plaintext", toHex(await aesGcmDecrypt(env, key, fromHex(v.iv), fromHex(v.aad), out)), v.plaintext);
    });
  }

  const x = formats.expected;
  let built: Awaited<ReturnType<typeof buildFormats>> | undefined;
  await check(results, "project formats build from fixed inputs", async () => {
    built = await buildFormats(subtle, formats);
    const left = built.randomLeft;
    return left.bundle === 0 && left.link === 0 ? true : `random bytes left unused: ${JSON.stringify(left)}`;
  });
  if (!built) return results;
  const f = built;
  await check(results, "genesis entry bytes", async () => same("genesis", toHex(f.alice.genesis.bytes), x.alice_genesis));
  await check(results, "account id = hash of genesis", async () => same("account id", f.alice.state.accountId, x.alice_account_id));
  await check(results, "recorded genesis verifies", async () => {
    const s = await verifyLog(env, [fromHex(x.alice_genesis)], AccountId.parse(x.alice_account_id));
    return s.username === formats.accounts.alice.username ? true : "wrong username";
  });
  await check(results, "recovery key text", async () => same("recovery key", f.recoveryKeyText, x.recovery_key_text));
  await check(results, "epoch bundle bytes", async () => same("bundle", toHex(f.bundle.bytes), x.bundle.bytes));
  await check(results, "envelope bytes", async () => same("envelope", toHex(f.envelope.bytes), x.envelope.bytes));
  await check(results, "login input bytes", async () => same("login input", toHex(f.loginInput), x.login.input));
  await check(results, "login signature", async () => same("login signature", toHex(f.loginSignature), x.login.signature));
  await check(results, "safety number", async () => same("safety number", f.safetyNumber, x.safety_number));
  await check(results, "link offer text", async () => same("link offer", f.linkOfferText, x.link.offer_text));
  await check(results, "link hello frame", async () => same("hello frame", toHex(f.linkHelloFrame), x.link.hello_frame));
  await check(results, "recovery blob bytes", async () => same("recovery blob", toHex(f.recoveryBlob), x.recovery_blob.bytes));
  await check(results, "key file text", async () => same("key file", f.keyFile, x.recovery_blob.key_file));
  for (const [i, k] of x.content.kinds.entries()) await check(results, `content body: ${k.name}`, async () => same(k.name, toHex(f.contentBodies[i] ?? new Uint8Array(0)), k.body));
  await check(results, "recorded content bodies decode to their content", async () => {
    for (const k of x.content.kinds) {
      const got = canonical(decodeBody(fromHex(k.body)));
      const want = canonical(knownContent(k.content));
      if (got !== want) return `${k.name}: decoded ${got}, want ${want}`;
    }
    return true;
  });
  await check(results, "content body of a kind no version knows", async () => same("unknown kind", toHex(f.unknownBody), x.content.unknown.body));
  await check(results, "a kind no version knows decodes as unknown, with its send time", async () => {
    const u = x.content.unknown;
    return same("decoded", canonical(decodeBody(fromHex(u.body))), canonical({ kind: "unknown", kindNumber: u.kind_number, sentAt: u.sent_at }));
  });
  for (const r of x.content.refused) await check(results, `content body refused: ${r.name}`, async () => expectCode(async () => decodeBody(fromHex(r.body)), r.code));
  await check(results, "recorded link frame opens on the existing device", async () => {
    const offer = parseLinkOffer(x.link.offer_text, x.link.created_at);
    const o = await createLinkResponder(replayEnv(subtle, x.link.responder_random));
    const ch = await deriveLinkChannel(env, { role: "existing", offer, ownPrivate: o.ephemeralPrivate, newEphemeral: offer.ephemeralKey, existingEphemeral: o.ephemeralKey });
    const m = await openLinkFrame(env, ch, fromHex(x.link.hello_frame));
    return m.type === "hello" ? same("device name", m.deviceName, x.link.device_name) : `got ${m.type}`;
  });
  await check(results, "recorded recovery blob opens with the recovery key", async () => {
    const keys = await deriveRecoveryKeys(env, fromHex(formats.accounts.alice.recovery_key));
    const opened = await openRecoveryBlob(env, fromHex(x.recovery_blob.bytes), keys.box);
    return same("identity pkcs8", toHex(opened.secrets.identityKey), x.recovery_blob.identity_pkcs8);
  });
  await check(results, "recorded bundle and envelope open for bob", async () => {
    const members = new Map<AccountId, AccountState>([
      [f.alice.state.accountId, f.alice.state],
      [f.bob.state.accountId, f.bob.state],
    ]);
    const opened = await openEpochBundle(env, fromHex(x.bundle.bytes), {
      conversationId: f.conversationId,
      membershipHead: f.membershipHead,
      members,
      me: { accountId: f.bob.state.accountId, deviceId: f.bob.state.devices[0]!.deviceId, boxKey: f.bob.dbk.privateKey },
    });
    const body = await openEnvelope(env, decodeEnvelope(fromHex(x.envelope.bytes)), { conversationId: f.conversationId, sender: f.alice.state, ck: opened.ck, keyId: opened.bundle.keyId });
    return body.kind === "text" ? same("text", body.text, x.envelope.text) : `opened as ${body.kind}`;
  });
  await check(results, "the recorded envelope carries the recorded text body", async () => {
    const opened = await openEpochBundle(env, fromHex(x.bundle.bytes), {
      conversationId: f.conversationId,
      membershipHead: f.membershipHead,
      members: new Map<AccountId, AccountState>([
        [f.alice.state.accountId, f.alice.state],
        [f.bob.state.accountId, f.bob.state],
      ]),
      me: { accountId: f.bob.state.accountId, deviceId: f.bob.state.devices[0]!.deviceId, boxKey: f.bob.dbk.privateKey },
    });
    const body = await openEnvelope(env, decodeEnvelope(fromHex(x.envelope.bytes)), { conversationId: f.conversationId, sender: f.alice.state, ck: opened.ck, keyId: opened.bundle.keyId });
    if (body.kind !== "text") return `opened as ${body.kind}`;
    return same("text body", toHex(encodeBody(body)), x.content.kinds[0]?.body ?? "");
  });
  return results;
}
