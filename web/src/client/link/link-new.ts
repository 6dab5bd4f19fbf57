/**
 * link/: linking a device to the account (DESIGN "Linking a device"). link-new.ts: the new device's side
 * (shows the code, receives the account's secrets); link-existing.ts: the existing device's side (scans,
 * confirms, co-signs the add-device entry). Both talk over the link relay of transport/link-api.ts.
 */
import {
  EntryKind,
  LOG_VERSION,
  SignerRole,
  bytesEqual,
  createLinkOffer,
  deriveLinkChannel,
  encodeAddDevicePayload,
  encodeEntryBody,
  fail,
  findDevice,
  fromBase64url,
  openLinkFrame,
  sealLinkFrame,
  signEntryBody,
  signLogin,
  toBase64url,
  verifyLinkAccept,
  verifyLog,
  type AccountId,
  type CryptoEnv,
  type LinkChannel,
  type LinkMessage,
} from "../../../../protocol/index.js";
import { LOGIN_LIFETIME_MS } from "../identity/account.js";
import type { ClientContext } from "../context.js";
import { getAccount, putAccount } from "../store/db.js";
import { ClientError } from "../errors.js";
import { ensureDevice } from "../identity/keystore.js";
import { keepReceivedSecrets } from "../identity/account-secrets.js";
import { defaultDeviceName, isDefaultDeviceName } from "../identity/device-names.js";
import { nameThisDevice } from "../identity/devices.js";
import type { AccountRow, DeviceRow } from "../store/rows.js";
import { PollDelay } from "./poll-delay.js";

/** N shows a fresh code this often until an existing device answers (DESIGN "Linking a device"). */
export const LINK_REFRESH_MS = 60_000;
/** The longest wait between two polls of the relay (docs/API.md); the waits start shorter (poll-delay.ts). */
export { LINK_POLL_MS } from "./poll-delay.js";

/** What the new device's screen shows, in order. */
export type NewDeviceStep =
  | { step: "starting" }
  | { step: "showing"; code: string }
  | { step: "connected" }
  /** The account the accept proved by its genesis entry, with the short fingerprint of its id. */
  | { step: "confirm-account"; username: string; accountId: AccountId; fingerprint: string }
  | { step: "joining"; username: string }
  | { step: "linked"; username: string }
  | { step: "failed"; error: unknown };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ClientError("link_cancelled", "linking was cancelled"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new ClientError("link_cancelled", "linking was cancelled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Reads the peer's frames in order from the relay. */
class Inbox {
  private after = 0;
  private readonly queue: Uint8Array[] = [];
  /** Restarted by the caller after each frame it sends (the reply may come at once). */
  readonly delay = new PollDelay();
  constructor(
    private readonly poll: (after: number) => Promise<{ frames: { seq: number; frame: string }[] }>,
    private readonly signal: AbortSignal,
  ) {}

  async next(env: CryptoEnv, ch: LinkChannel): Promise<LinkMessage> {
    for (;;) {
      const f = this.queue.shift();
      if (f) return openLinkFrame(env, ch, f);
      const res = await this.poll(this.after);
      for (const x of res.frames) {
        if (x.seq <= this.after) continue;
        this.after = x.seq;
        this.queue.push(fromBase64url(x.frame));
      }
      if (this.queue.length === 0) await sleep(this.delay.next(), this.signal);
      else this.delay.start();
    }
  }
}

export function expectMessage<T extends LinkMessage["type"]>(m: LinkMessage, type: T): Extract<LinkMessage, { type: T }> {
  if (m.type !== type) fail("malformed", `expected a ${type} message, got ${m.type}`);
  return m as Extract<LinkMessage, { type: T }>;
}

/**
 * The new device's side of linking (N). Runs until linked, failed or aborted; reports each step through
 * `onStep`. Before N signs anything it asks the user (`confirmAccount`) whether the account O named is
 * theirs, so a stranger who photographed the code and answered first is caught by name.
 */
export async function linkAsNewDevice(
  ctx: ClientContext,
  p: {
    deviceName: () => string;
    onStep: (s: NewDeviceStep) => void;
    confirmAccount: (username: string) => Promise<boolean>;
    signal: AbortSignal;
  },
): Promise<AccountRow> {
  if (await getAccount(ctx.db)) throw new ClientError("already_signed_up", "this device already has an account");
  p.onStep({ step: "starting" });
  const device = await ensureDevice(ctx.db, ctx.env, ctx.now());

  // Show codes until one is answered.
  let answered: { linkId: string; token: string; channel: LinkChannel } | undefined;
  while (!answered) {
    const link = await ctx.linkApi.createLink();
    const as = { token: link.newToken };
    const { offer, ephemeralPrivate, text } = await createLinkOffer(ctx.env, fromBase64url(link.linkId), ctx.now());
    p.onStep({ step: "showing", code: text });
    const until = ctx.now() + LINK_REFRESH_MS;
    const delay = new PollDelay();
    while (ctx.now() < until) {
      const res = await ctx.linkApi.frames(link.linkId, "existing", 0, as);
      if (res.responder) {
        const channel = await deriveLinkChannel(ctx.env, { role: "new", offer, ownPrivate: ephemeralPrivate, newEphemeral: offer.ephemeralKey, existingEphemeral: fromBase64url(res.responder.ephemeralKey) });
        answered = { linkId: link.linkId, token: link.newToken, channel };
        break;
      }
      await sleep(delay.next(), p.signal);
    }
    if (!answered) await ctx.linkApi.deleteLink(link.linkId, as).catch(() => undefined);
  }

  const { linkId, channel } = answered;
  const as = { token: answered.token };
  const cancel = () => void ctx.linkApi.deleteLink(linkId, as).catch(() => undefined);
  p.signal.addEventListener("abort", cancel, { once: true });
  try {
    const inbox = new Inbox((after) => ctx.linkApi.frames(linkId, "existing", after, as), p.signal);
    const send = async (m: LinkMessage) => {
      await ctx.linkApi.postFrame(linkId, "new", await sealLinkFrame(ctx.env, channel, m), as);
      inbox.delay.start();
    };

    const deviceName = p.deviceName().trim().slice(0, 64) || defaultDeviceName();
    await send({ type: "hello", deviceName, deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic });
    p.onStep({ step: "connected" });

    // The name shown is the one in the genesis entry that hashes to the account id joined below, so a
    // stranger who answered the code first can only name their own account (issue 15).
    const accept = await verifyLinkAccept(ctx.env, expectMessage(await inbox.next(ctx.env, channel), "accept"));
    p.onStep({ step: "confirm-account", username: accept.username, accountId: accept.accountId, fingerprint: accept.fingerprint });
    if (!(await p.confirmAccount(accept.username))) throw new ClientError("link_cancelled", `you declined to join @${accept.username}`);
    p.onStep({ step: "joining", username: accept.username });

    const secrets = expectMessage(await inbox.next(ctx.env, channel), "secrets");
    const kept = await keepReceivedSecrets(ctx.env, device, accept.accountId, secrets);

    const body = encodeEntryBody({
      version: LOG_VERSION,
      kind: EntryKind.addDevice,
      seq: secrets.headSeq + 1,
      prev: secrets.headHash,
      createdAt: ctx.now(),
      payload: encodeAddDevicePayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic }),
    });
    const own = await signEntryBody(ctx.env, body, { role: SignerRole.newDevice, privateKey: device.signingKey, publicKey: device.signingPublic });
    await send({ type: "request", entryBody: body, signature: own.signature });
    const done = expectMessage(await inbox.next(ctx.env, channel), "done");
    if (done.seq !== secrets.headSeq + 1) fail("malformed", "the other device stored the entry at an unexpected position");

    // Log in as the new device, then accept only a log that verifies, has the account id we were
    // told, and lists this device under the very keys we were given.
    await logInAs(ctx, accept.accountId, device);
    const res = await ctx.api.accountLog(accept.accountId);
    const log = res.log.map(fromBase64url);
    const state = await verifyLog(ctx.env, log, accept.accountId);
    if (!findDevice(state, device.deviceId)) fail("unknown_signer", "the account's log does not list this device");
    if (!bytesEqual(state.identityKey, kept.identityPublic)) fail("identity_mismatch", "the identity key received does not match the account's log");
    if (state.history.generation !== secrets.historyGeneration || !bytesEqual(state.history.publicKey, kept.historyPublic)) fail("identity_mismatch", "the history key received does not match the account's log");

    const account: AccountRow = {
      id: "self",
      accountId: accept.accountId,
      username: state.username,
      identityKey: kept.identityKey,
      identityPublic: kept.identityPublic,
      identityWrapped: kept.identityWrapped,
      historyGeneration: secrets.historyGeneration,
      historyKey: kept.historyKey,
      historyPublic: kept.historyPublic,
      historyWrapped: kept.historyWrapped,
      log,
      head: state.head,
      // The account's recovery key was made (and saved) when the account was created.
      recoveryConfirmed: true,
      createdAt: ctx.now(),
    };
    await putAccount(ctx.db, account);
    p.signal.removeEventListener("abort", cancel);
    // Neither is needed before the history loads, so neither is waited for (each a round trip or two):
    // the relay drops the link at expiry anyway, and the existing device names this one too.
    void ctx.linkApi.deleteLink(linkId, as).catch(() => undefined);
    void nameThisDevice(ctx, account, device.deviceId, deviceName, isDefaultDeviceName(deviceName));
    p.onStep({ step: "linked", username: state.username });
    return account;
  } catch (e) {
    cancel();
    throw e;
  }
}

/** The login of account.ts for a device whose account row is not stored yet. */
async function logInAs(ctx: ClientContext, accountId: AccountId, device: DeviceRow): Promise<void> {
  const { nonce } = await ctx.api.challenge(accountId, device.deviceId);
  const expiresAt = ctx.now() + LOGIN_LIFETIME_MS;
  const signature = await signLogin(ctx.env, device.signingKey, { nonce: fromBase64url(nonce), origin: ctx.origin, accountId, deviceId: device.deviceId, expiresAt });
  await ctx.api.login({ accountId, deviceId: device.deviceId, nonce, expiresAt, signature: toBase64url(signature) });
}
