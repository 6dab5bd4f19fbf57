import { Hono } from "hono";
import type { z } from "zod";
import { deviceNameRequest, deviceSecretsRequest, type deviceListResponse, type deviceSecretsResponse } from "../../protocol/api.js";
import { bytesEqual, fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { decodeEntry, entryHash } from "../../protocol/device-log.js";
import { decodeDeviceSecretsHeader } from "../../protocol/device-secrets.js";
import { requireSession } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, Forbidden, NotFound } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { deviceIdParam } from "../http/path-params.js";
import { notifyDevice } from "../realtime/notify.js";

export async function listOwnDevices(c: Ctx) {
  const devices = await c.var.stores.accounts.listDevices(c.var.session.accountId);
  return c.json({ devices } satisfies z.output<typeof deviceListResponse>);
}

export async function nameDevice(c: Ctx) {
  const accounts = c.var.stores.accounts;
  const device = await accounts.findDevice(deviceIdParam(c));
  if (!device) throw new NotFound("no such device");
  if (device.accountId !== c.var.session.accountId) throw new Forbidden("forbidden", "this device belongs to another account");
  const { sealedName } = await readJson(c, deviceNameRequest);
  await accounts.setSealedName(device.deviceId, fromBase64url(sealedName));
  return c.body(null, 204);
}

/** The newest device-secrets package sealed to the calling device (docs/API.md "Device secrets"). */
export async function fetchOwnSecrets(c: Ctx) {
  const stored = await c.var.stores.accounts.findSecrets(c.var.session.deviceId);
  if (!stored) throw new NotFound("no secrets are waiting for this device");
  return c.json({ headSeq: stored.headSeq, package: toBase64url(stored.package) } satisfies z.output<typeof deviceSecretsResponse>);
}

/**
 * Stores the account's new secrets sealed by the caller to another active device of its account. The
 * server cannot open the package; it checks that its header names this account, the caller as sender,
 * the path's device as recipient and an entry of the stored log (position and hash), so a device cannot
 * be fed a package that its own log will refuse anyway, and never replaces a newer package by an older one.
 */
export async function storeSecretsForDevice(c: Ctx) {
  const session = c.var.session;
  const accounts = c.var.stores.accounts;
  const recipient = await accounts.findDevice(deviceIdParam(c));
  if (!recipient) throw new NotFound("no such device");
  if (recipient.accountId !== session.accountId) throw new Forbidden("forbidden", "this device belongs to another account");
  if (recipient.revoked) throw new Forbidden("forbidden", "this device was removed from the account");
  if (recipient.deviceId === session.deviceId) throw new BadRequest("invalid_package", "a device does not seal secrets to itself");
  const bytes = fromBase64url((await readJson(c, deviceSecretsRequest)).package);
  const h = await decodeOr("invalid_package", () => decodeDeviceSecretsHeader(bytes));
  if (h.accountId !== session.accountId) throw new BadRequest("invalid_package", "the package names another account");
  if (h.senderDeviceId !== session.deviceId) throw new BadRequest("invalid_package", "the package names another sender than this device");
  if (h.recipientDeviceId !== recipient.deviceId) throw new BadRequest("invalid_package", "the package is sealed to another device than the path names");
  const entry = await accounts.findLogEntry(session.accountId, h.headSeq);
  if (!entry || !bytesEqual(await entryHash(cryptoEnv, decodeEntry(entry)), h.headHash)) throw new BadRequest("invalid_package", "the package cites a log head this account does not have");
  const stored = await accounts.putSecrets({ accountId: session.accountId, recipient: recipient.deviceId, sender: session.deviceId, headSeq: h.headSeq, package: bytes, now: Date.now() });
  if (!stored) throw new Conflict("stale_package", "a package for a later log position is already stored for this device");
  c.executionCtx.waitUntil(notifyDevice(c.env, session.accountId, recipient.deviceId, { type: "secrets", headSeq: h.headSeq }));
  return c.body(null, 204);
}

/**
 * The caller's own devices, for the settings screen. Names are sealed by the client under the account
 * history key, so the server stores and returns them without reading them. Other accounts' devices are
 * learned from their verified logs, never from here.
 */
export const deviceRoutes = new Hono<AppEnv>()
  .get("/devices", requireSession, listOwnDevices)
  .put("/devices/:deviceId/name", requireSession, nameDevice)
  .get("/devices/self/secrets", requireSession, fetchOwnSecrets)
  .put("/devices/:deviceId/secrets", requireSession, storeSecretsForDevice);
