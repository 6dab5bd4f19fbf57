import { Hono } from "hono";
import type { z } from "zod";
import { postEpochRequest, type epochListResponse, type postEpochResponse } from "../../protocol/api.js";
import { bytesEqual, fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { bundleSigningInput, decodeBundle, keyIdOf } from "../../protocol/epoch-bundle.js";
import { decodeMembershipEntry, membershipEntryHash } from "../../protocol/membership-log.js";
import { verify } from "../../protocol/primitives.js";
import { requireSession } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, Forbidden, ServerFault } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { notifyAccounts } from "../realtime/notify.js";
import { memberConversation } from "./conversation-access.js";

/**
 * Stores an epoch bundle. The server cannot check the wraps (it holds no keys); it checks what it can so
 * that a stored bundle is at least the signed work of the posting member device, for this conversation
 * and only its members. Recipients still run protocol verifyBundle against their own verified view.
 */
export async function acceptEpoch(c: Ctx) {
  const stores = c.var.stores;
  const conversation = await memberConversation(c);
  const session = c.var.session;
  const bytes = fromBase64url((await readJson(c, postEpochRequest)).bundle);
  const bundle = await decodeOr("invalid_bundle", () => decodeBundle(bytes));
  if (bundle.conversationId !== conversation.id) throw new BadRequest("invalid_bundle", "the bundle is for another conversation");
  if (bundle.creatorAccountId !== session.accountId || bundle.creatorDeviceId !== session.deviceId) {
    throw new Forbidden("forbidden", "a bundle must be created by the device that posts it");
  }
  // The session's device is not revoked (the session query joins it) and its key came with it.
  if (!(await verify(cryptoEnv, session.signingKey, bundle.signature, bundleSigningInput(bundle.body)))) {
    throw new BadRequest("bad_signature", "the bundle signature does not verify with this device's key");
  }
  // The envelope check matches key ids, so a key id must really be the hash of the signed commitment.
  if (!bytesEqual(await keyIdOf(cryptoEnv, bundle.commitment), bundle.keyId)) throw new BadRequest("invalid_bundle", "the key id is not the hash of the commitment");
  const stale = () => new Conflict("stale_membership", "the group changed: fetch its membership log and make the epoch for its head");
  let membershipSeq: number | undefined;
  if (conversation.kind === "group") {
    // A group epoch is made for the group as its log stands: one cut for an older head could still
    // wrap the key to a member removed since. (A direct chat's head is fixed by its pair.)
    const last = await stores.conversations.lastMembershipEntry(conversation.id);
    if (!last) throw new ServerFault(`group ${conversation.id} has no membership entry`);
    const head = await membershipEntryHash(cryptoEnv, decodeMembershipEntry(last.entry).body);
    if (!bytesEqual(head, bundle.membershipHead)) throw stale();
    membershipSeq = last.seq;
  }
  // Epochs advance by exactly one: a jump would let one member use up the number space (2^32-1).
  // (The insert re-checks it in the same statement.)
  const taken = () => new Conflict("epoch_exists", `epoch ${bundle.epoch} already has a bundle`);
  const expected = ((await stores.conversations.latestEpoch(conversation.id)) ?? -1) + 1;
  if (bundle.epoch < expected) throw taken();
  if (bundle.epoch > expected) throw new BadRequest("invalid_epoch", `the next epoch of this conversation is ${expected}, not ${bundle.epoch}`);
  const members = new Set<string>(conversation.members);
  const named = [...bundle.heads, ...bundle.deviceWraps, ...bundle.historyWraps].map((x) => x.accountId);
  const outsider = named.find((a) => !members.has(a));
  if (outsider !== undefined) throw new BadRequest("invalid_bundle", `the bundle names ${outsider}, who is not a member`);
  const stored = await stores.conversations.insertEpoch({
    conversationId: conversation.id,
    epoch: bundle.epoch,
    keyId: bundle.keyId,
    bundle: bytes,
    creatorDeviceId: session.deviceId,
    createdAt: Date.now(),
    ...(membershipSeq === undefined ? {} : { membershipSeq }),
  });
  if (!stored) {
    // Not stored: the epoch is taken, or (a group) an entry landed since the head was compared.
    if (membershipSeq !== undefined && (await stores.conversations.lastMembershipEntry(conversation.id))?.seq !== membershipSeq) throw stale();
    throw taken();
  }
  // Only the epoch number travels: a bundle can be 1 MiB, and clients fetch the epochs list anyway.
  c.executionCtx.waitUntil(notifyAccounts(c.env, conversation.members, { type: "epoch", conversationId: conversation.id, epoch: bundle.epoch }));
  return c.json({ epoch: bundle.epoch } satisfies z.output<typeof postEpochResponse>, 201);
}

export async function listEpochs(c: Ctx) {
  const conversation = await memberConversation(c);
  const epochs = await c.var.stores.conversations.listEpochs(conversation.id);
  return c.json({ epochs: epochs.map((e) => ({ epoch: e.epoch, bundle: toBase64url(e.bundle) })) } satisfies z.output<typeof epochListResponse>);
}

/** Epoch bundles (docs/API.md "Epochs"). */
export const epochRoutes = new Hono<AppEnv>().post("/conversations/:id/epochs", requireSession, acceptEpoch).get("/conversations/:id/epochs", requireSession, listEpochs);
