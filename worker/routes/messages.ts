import { Hono } from "hono";
import type { z } from "zod";
import { postMessageRequest, type messageListResponse, type postMessageResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { decodeEnvelope, envelopeSigningInput } from "../../protocol/envelope.js";
import { verify } from "../../protocol/primitives.js";
import { requireSession } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, Forbidden } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { pushNewMessage } from "../push/message-push.js";
import { notifyAccounts } from "../realtime/notify.js";
import { attachmentRefusal } from "./attachment-claims.js";
import { memberConversation } from "./conversation-access.js";
import { parseMessagePageQuery } from "./message-page-query.js";

type PostMessageResponse = z.output<typeof postMessageResponse>;

/**
 * Accepts one message. The server orders and stores envelopes it cannot read; it refuses ones that are
 * not the signed work of the posting device under a stored epoch of this conversation, so what it relays
 * is at least attributable. Recipients still verify everything against their own view. Attachments
 * named next to the envelope are attached to its seq in the same step (docs/API.md "Attachments").
 */
export async function acceptMessage(c: Ctx) {
  const stores = c.var.stores;
  const conversation = await memberConversation(c);
  const session = c.var.session;
  const body = await readJson(c, postMessageRequest);
  const bytes = fromBase64url(body.envelope);
  const attachments = body.attachments ?? [];
  const envelope = await decodeOr("invalid_envelope", () => decodeEnvelope(bytes));
  const h = envelope.header;
  if (h.conversationId !== conversation.id) throw new BadRequest("invalid_envelope", "the envelope is for another conversation");
  if (h.senderAccountId !== session.accountId || h.senderDeviceId !== session.deviceId) {
    throw new Forbidden("forbidden", "an envelope must be sent by the device that posts it");
  }
  // The session's device is not revoked (the session query joins it) and its key came with it.
  if (!(await verify(cryptoEnv, session.signingKey, envelope.signature, envelopeSigningInput(envelope.headerBytes, envelope.iv, envelope.ciphertext)))) {
    throw new BadRequest("bad_signature", "the envelope signature does not verify with this device's key");
  }
  const receivedAt = Date.now();
  const result = await stores.messages.append({
    conversationId: conversation.id,
    senderAccountId: session.accountId,
    senderDeviceId: session.deviceId,
    clientMessageId: h.clientMessageId,
    epoch: h.epoch,
    keyId: h.keyId,
    envelope: bytes,
    receivedAt,
    attachments,
    alert: { notify: body.notify !== false, mentions: body.mentions === true },
  });
  switch (result.kind) {
    case "stored":
      // Every member account, the sender's too: its other devices show the message without polling.
      // A retry (duplicate) pushes nothing; the first send already did. The conversation object tells
      // the members' hubs itself (`told`), and each hub Web Pushes to its devices with no socket; the D1
      // layout's store does neither, so the route does.
      if (!result.told) {
        c.executionCtx.waitUntil(
          notifyAccounts(c.env, conversation.members, { type: "message", conversationId: conversation.id, seq: result.seq, envelope: toBase64url(bytes), receivedAt }),
        );
        // Web Push to the other members' devices with no socket, unless the sender said it alerts nobody.
        if (body.notify !== false) {
          c.executionCtx.waitUntil(pushNewMessage(c.env, stores, { conversationId: conversation.id, members: conversation.members, senderAccountId: session.accountId, seq: result.seq, envelope: bytes, receivedAt, mentions: body.mentions === true }));
        }
      }
      return c.json({ seq: result.seq, duplicate: false } satisfies PostMessageResponse, 201);
    case "duplicate":
      return c.json({ seq: result.seq, duplicate: true } satisfies PostMessageResponse, 200);
    case "id_reused":
      throw new Conflict("message_id_reused", `client message id was already used for a different envelope (seq ${result.seq})`);
    case "unknown_epoch":
      throw new Conflict("unknown_epoch", `epoch ${h.epoch} has no bundle yet: post it first`);
    case "epoch_key_mismatch":
      throw new Conflict("epoch_key_mismatch", `the envelope's key id is not epoch ${h.epoch}'s: fetch the epochs again`);
    case "stale_epoch":
      throw new Conflict("stale_epoch", `epoch ${h.epoch} is not this conversation's newest: fetch the epochs and seal the message under the newest`);
    case "attachments_refused":
      throw await attachmentRefusal(stores.attachments, attachments, conversation.id, session.accountId);
  }
}

/** One page of a conversation's messages after a cursor (`after`, a seq). */
export async function listMessagePage(c: Ctx) {
  const conversation = await memberConversation(c);
  const { after, limit } = parseMessagePageQuery(c.req.query());
  const page = await c.var.stores.messages.page(conversation.id, after, limit);
  const messages = page.messages.map((m) => ({ seq: m.seq, envelope: toBase64url(m.envelope), receivedAt: m.receivedAt }));
  return c.json({ messages, more: page.more } satisfies z.output<typeof messageListResponse>);
}

/** Messages (docs/API.md "Messages"). */
export const messageRoutes = new Hono<AppEnv>()
  .post("/conversations/:id/messages", requireSession, acceptMessage)
  .get("/conversations/:id/messages", requireSession, listMessagePage);
