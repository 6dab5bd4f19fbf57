import {
  deviceIdOf,
  accountFingerprint,
  EntryKind,
  SignerRole,
  assembleEntry,
  bytesEqual,
  createLinkResponder,
  decodeAddDevicePayload,
  decodeEntryBody,
  deriveLinkChannel,
  fail,
  fromBase64url,
  openLinkFrame,
  parseLinkOffer,
  sealLinkFrame,
  signEntryBody,
  toBase64url,
  verify,
  entrySigningInput,
  type LinkChannel,
  type LinkMessage,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice } from "../store/db.js";
import { ClientError } from "../errors.js";
import { expectMessage, sleep } from "./link-new.js";
import { PollDelay } from "./poll-delay.js";
import { refreshLog, stateOf } from "../identity/logs.js";
import { assertCurrentSecrets, exportAccountSecrets, zeroSecrets } from "../identity/account-secrets.js";
import { isDefaultDeviceName } from "../identity/device-names.js";
import { nameThisDevice } from "../identity/devices.js";


/** The new device as it introduced itself, shown to the user before anything secret moves. */
export interface LinkHello {
  readonly deviceName: string;
  readonly deviceSigningKey: Uint8Array;
  readonly deviceBoxKey: Uint8Array;
  /** This account's fingerprint, which the new device shows next to the name it will join. */
  readonly accountFingerprint: string;
}

/**
 * The existing device's side of linking (O), started only from Settings. `scan` answers the code and
 * waits for N's hello; `confirm` (after the user read N's name and the warning) sends the account and its
 * secrets, checks N's add-device body, co-signs it and appends it to the log; `cancel` ends the link.
 */
export class ExistingDeviceLink {
  private channel: LinkChannel | undefined;
  private linkId = "";
  private after = 0;
  private hello: LinkHello | undefined;
  private readonly abort = new AbortController();
  private readonly delay = new PollDelay();

  constructor(private readonly ctx: ClientContext) {}

  /** Parses the code (QR text or pasted), answers the link and returns N's hello. */
  async scan(code: string): Promise<LinkHello> {
    const offer = parseLinkOffer(code, this.ctx.now());
    const responder = await createLinkResponder(this.ctx.env);
    this.linkId = toBase64url(offer.linkId);
    await this.ctx.linkApi.respond(this.linkId, responder.ephemeralKey);
    this.channel = await deriveLinkChannel(this.ctx.env, { role: "existing", offer, ownPrivate: responder.ephemeralPrivate, newEphemeral: offer.ephemeralKey, existingEphemeral: responder.ephemeralKey });
    const account = await getAccount(this.ctx.db);
    if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
    const hello = { ...expectMessage(await this.receive(), "hello"), accountFingerprint: accountFingerprint(account.accountId) };
    this.hello = hello;
    return hello;
  }

  /** Sends the account and its secrets, then co-signs and appends N's add-device entry. Returns its seq. */
  async confirm(): Promise<number> {
    const ch = this.channel;
    const hello = this.hello;
    if (!ch || !hello) throw new ClientError("link_cancelled", "scan a code first");
    const env = this.ctx.env;
    const device = await getDevice(this.ctx.db);
    let account = await getAccount(this.ctx.db);
    if (!device || !account) throw new ClientError("not_signed_up", "this device has no account yet");
    // Build on the newest head the server has (another device may have appended meanwhile).
    await refreshLog(this.ctx, account.accountId);
    account = (await getAccount(this.ctx.db))!;

    assertCurrentSecrets(account, await stateOf(this.ctx, account.accountId));

    await this.send({ type: "accept", genesis: account.log[0]! });
    // Temporary extractable copies, exported and dropped (docs/PROTOCOL.md "Keys": AIK, AHK).
    const secrets = await exportAccountSecrets(env, device, account);
    try {
      await this.send({ type: "secrets", ...secrets, headSeq: account.head.seq, headHash: account.head.hash });
    } finally {
      zeroSecrets(secrets);
    }

    const request = expectMessage(await this.receive(), "request");
    const body = decodeEntryBody(request.entryBody);
    if (body.kind !== EntryKind.addDevice) fail("malformed", "the new device asked for something other than adding itself");
    if (body.seq !== account.head.seq + 1 || !bytesEqual(body.prev, account.head.hash)) fail("chain_broken", "the new device's entry does not extend this account's log");
    const payload = decodeAddDevicePayload(body.payload);
    if (!bytesEqual(payload.deviceSigningKey, hello.deviceSigningKey) || !bytesEqual(payload.deviceBoxKey, hello.deviceBoxKey)) fail("unknown_signer", "the new device's entry names other keys than it introduced");
    if (!(await verify(env, hello.deviceSigningKey, request.signature, entrySigningInput(request.entryBody)))) fail("bad_signature", "the new device's signature does not verify");

    const identity = await signEntryBody(env, request.entryBody, { role: SignerRole.identity, privateKey: account.identityKey, publicKey: account.identityPublic });
    const own = await signEntryBody(env, request.entryBody, { role: SignerRole.device, privateKey: device.signingKey, publicKey: device.signingPublic });
    const entry = assembleEntry(request.entryBody, [identity, own, { role: SignerRole.newDevice, key: hello.deviceSigningKey, signature: request.signature }]);
    const { seq } = await this.ctx.linkApi.appendLog(account.accountId, entry);
    // N waits for "done" and then checks the account's log itself (link-new.ts), so it is sent while
    // this device reads its own log anew, not after.
    const refreshed = refreshLog(this.ctx, account.accountId);
    refreshed.catch(() => undefined);
    await this.send({ type: "done", seq });
    await refreshed;
    // The list on this device names the new one at once (it names itself too, the same way, once it has
    // the keys: nameThisDevice gives both the same distinct name).
    const newDevice = await deviceIdOf(env, hello.deviceSigningKey);
    await nameThisDevice(this.ctx, account, newDevice, hello.deviceName, isDefaultDeviceName(hello.deviceName));
    return seq;
  }

  cancel(): void {
    this.abort.abort();
    if (this.linkId) void this.ctx.linkApi.deleteLink(this.linkId, "session").catch(() => undefined);
  }

  private async send(m: LinkMessage): Promise<void> {
    if (!this.channel) throw new ClientError("link_cancelled", "no link");
    await this.ctx.linkApi.postFrame(this.linkId, "existing", await sealLinkFrame(this.ctx.env, this.channel, m), "session");
    this.delay.start();
  }

  private async receive(): Promise<LinkMessage> {
    if (!this.channel) throw new ClientError("link_cancelled", "no link");
    for (;;) {
      const res = await this.ctx.linkApi.frames(this.linkId, "new", this.after, "session");
      const next = res.frames.find((f) => f.seq > this.after);
      if (next) {
        this.after = next.seq;
        this.delay.start();
        return openLinkFrame(this.ctx.env, this.channel, fromBase64url(next.frame));
      }
      await sleep(this.delay.next(), this.abort.signal);
    }
  }
}
