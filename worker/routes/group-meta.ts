import { Hono } from "hono";
import { putGroupMetaRequest } from "../../protocol/api.js";
import { bytesEqual, fromBase64url } from "../../protocol/bytes.js";
import { decodeSealedGroupMeta, groupMetaSigningInput } from "../../protocol/group-meta.js";
import { verify } from "../../protocol/primitives.js";
import { requireSession } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, Forbidden, NotFound } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { notifyAccounts } from "../realtime/notify.js";
import { memberConversation } from "./conversation-access.js";

/**
 * A group's sealed meta (docs/API.md "Groups", docs/PROTOCOL.md "Group metadata"). The server cannot read
 * the name; it stores a meta only if it is the signed work of the posting member device, for this group,
 * under an epoch the group has with that key id, and no older than the stored one.
 */
export async function acceptGroupMeta(c: Ctx) {
  const stores = c.var.stores;
  const conversation = await memberConversation(c);
  if (conversation.kind !== "group") throw new NotFound("a direct conversation has no group meta");
  const session = c.var.session;
  const bytes = fromBase64url((await readJson(c, putGroupMetaRequest)).meta);
  const meta = await decodeOr("invalid_meta", () => decodeSealedGroupMeta(bytes));
  if (meta.conversationId !== conversation.id) throw new BadRequest("invalid_meta", "the meta is for another conversation");
  if (meta.author.accountId !== session.accountId || meta.author.deviceId !== session.deviceId) {
    throw new Forbidden("forbidden", "a group meta must be written by the device that posts it");
  }
  // The session's device is not revoked (the session query joins it) and its key came with it.
  if (!(await verify(cryptoEnv, session.signingKey, meta.signature, groupMetaSigningInput(meta.body)))) {
    throw new BadRequest("bad_signature", "the meta signature does not verify with this device's key");
  }
  const keyId = await stores.conversations.findEpochKeyId(conversation.id, meta.epoch);
  if (!keyId) throw new Conflict("unknown_epoch", `the group has no epoch ${meta.epoch}`);
  if (!bytesEqual(keyId, meta.keyId)) throw new Conflict("epoch_key_mismatch", `the meta's key id is not epoch ${meta.epoch}'s`);
  if (!(await stores.conversations.putGroupMeta({ id: conversation.id, epoch: meta.epoch, meta: bytes, now: Date.now() }))) {
    throw new Conflict("stale_meta", `the group's meta is sealed under a later epoch than ${meta.epoch}: fetch the conversation and rename under its newest epoch`);
  }
  c.executionCtx.waitUntil(notifyAccounts(c.env, conversation.members, { type: "conversation", conversationId: conversation.id }));
  return c.body(null, 204);
}

export const groupMetaRoutes = new Hono<AppEnv>().put("/conversations/:id/meta", requireSession, acceptGroupMeta);
