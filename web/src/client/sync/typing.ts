import {
  decodeTypingFrame,
  fail,
  fromBase64url,
  openTypingFrame,
  sealTypingFrame,
  toBase64url,
  typingKey,
  type AccountId,
  type ConversationId,
  type DeviceId,
  type Key,
  type TypingStateName,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getConversation, getDevice, getEpoch, getGroup, latestEpoch } from "../store/db.js";
import type { EpochRow } from "../store/rows.js";
import { activeDeviceKey, isEpochMember } from "./sender-checks.js";

/**
 * Typing frames (docs/PROTOCOL.md "Typing frame"): sealing this device's, and opening and checking
 * those relayed from other members. Nothing here is stored, and nothing fetches from the server: a frame
 * that cannot be checked from what this device already holds is dropped (it is worth nothing later).
 */

/** Typing keys by conversation, epoch and key id: one derivation per epoch, not one per frame. */
export class TypingKeys {
  private readonly keys = new Map<string, Promise<Key>>();

  get(ctx: ClientContext, epoch: EpochRow): Promise<Key> {
    const id = `${epoch.conversationId}/${epoch.epoch}/${toBase64url(epoch.keyId)}`;
    let key = this.keys.get(id);
    if (!key) {
      // A bound, not an LRU: a device in hundreds of busy chats derives some keys again, nothing worse.
      if (this.keys.size >= 256) this.keys.clear();
      key = typingKey(ctx.env, { ck: epoch.ck, conversationId: epoch.conversationId, epoch: epoch.epoch, keyId: epoch.keyId });
      key.catch(() => this.keys.delete(id));
      this.keys.set(id, key);
    }
    return key;
  }
}

/**
 * Seals this device's typing state for a conversation under its newest stored epoch, base64url for the
 * realtime frame; undefined when there is nothing to seal under yet (no epoch: nothing was ever sent, and
 * typing alone never makes one).
 */
export async function sealTyping(ctx: ClientContext, keys: TypingKeys, conversationId: ConversationId, state: TypingStateName): Promise<string | undefined> {
  const [account, device, epoch] = [await getAccount(ctx.db), await getDevice(ctx.db), await latestEpoch(ctx.db, conversationId)];
  if (!account || !device || !epoch) return undefined;
  const bytes = await sealTypingFrame(ctx.env, {
    header: { conversationId, epoch: epoch.epoch, keyId: epoch.keyId, senderAccountId: account.accountId, senderDeviceId: device.deviceId, sentAt: ctx.now() },
    key: await keys.get(ctx, epoch),
    signingKey: device.signingKey,
    state,
  });
  return toBase64url(bytes);
}

export interface OpenedTyping {
  readonly conversationId: ConversationId;
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly sentAt: number;
  readonly state: TypingStateName;
}

/**
 * Opens a relayed typing frame, checked in the order of docs/PROTOCOL.md "Typing frame": throws (a
 * ProtocolError, or an Error saying why) for any frame not to show.
 */
export async function openTyping(ctx: ClientContext, keys: TypingKeys, relayed: { conversationId: ConversationId; frame: string }): Promise<OpenedTyping> {
  const f = decodeTypingFrame(fromBase64url(relayed.frame));
  const h = f.header;
  if (h.conversationId !== relayed.conversationId) fail("wrong_context", "typing frame names another conversation than its relay");
  const self = await getAccount(ctx.db);
  if (!self || h.senderAccountId === self.accountId) throw new Error("typing frame from this account (never shown)");
  const conv = await getConversation(ctx.db, h.conversationId);
  if (!conv) throw new Error("typing frame for a conversation this device does not have");
  // A member now, by the membership this device verified: a member removed from a group still holds the
  // epoch keys from before, and the newest epoch may predate the removal until someone sends again.
  const member = conv.kind === "direct" ? conv.peer === h.senderAccountId : (await getGroup(ctx.db, conv.id))?.members.some((m) => m.accountId === h.senderAccountId);
  if (!member) throw new Error("typing frame sender is not a member of the conversation now");
  const epoch = await getEpoch(ctx.db, h.conversationId, h.epoch);
  if (!epoch) throw new Error(`typing frame under epoch ${h.epoch}, which this device does not hold`);
  if (!isEpochMember(epoch, h.senderAccountId)) throw new Error("typing frame sender is not a member of its epoch");
  const senderSigningKey = await activeDeviceKey(ctx, h.senderAccountId, h.senderDeviceId);
  if (!senderSigningKey) fail("unknown_signer", "typing frame sender device is not active on its verified log");
  const state = await openTypingFrame(ctx.env, f, { conversationId: h.conversationId, keyId: epoch.keyId, key: await keys.get(ctx, epoch), senderSigningKey, now: ctx.now() });
  return { conversationId: h.conversationId, accountId: h.senderAccountId, deviceId: h.senderDeviceId, sentAt: h.sentAt, state };
}
