import type { Context } from "hono";
import { isAttachmentId, isLinkId, type AttachmentId, type LinkId } from "../../protocol/api.js";
import { AccountId, ConversationId, DeviceId } from "../../protocol/ids.js";
import { NotFound } from "../errors.js";

// A path segment that is not a well-formed id names nothing that can exist: 404, like an unknown id.

export function conversationIdParam(c: Context): ConversationId {
  const id = c.req.param("id");
  if (!ConversationId.is(id)) throw new NotFound("no such conversation");
  return id;
}

export function accountIdParam(c: Context): AccountId {
  const id = c.req.param("accountId");
  if (!AccountId.is(id)) throw new NotFound("no such account");
  return id;
}

export function deviceIdParam(c: Context): DeviceId {
  const id = c.req.param("deviceId");
  if (!DeviceId.is(id)) throw new NotFound("no such device");
  return id;
}

export function linkIdParam(c: Context): LinkId {
  const id = c.req.param("linkId");
  if (!isLinkId(id)) throw new NotFound("no such link");
  return id;
}

export function attachmentIdParam(c: Context): AttachmentId {
  const id = c.req.param("id");
  if (!isAttachmentId(id)) throw new NotFound("no such attachment");
  return id;
}

/** A part number as a path segment: 1 to 999,999 in plain decimal (whether the upload has it is the route's to say). */
export function partNumberParam(c: Context): number {
  const n = c.req.param("n");
  if (n === undefined || !/^[1-9][0-9]{0,5}$/.test(n)) throw new NotFound("no such part");
  return Number(n);
}
