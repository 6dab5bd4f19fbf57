import { Hono } from "hono";
import type { z } from "zod";
import { deviceNameRequest, type deviceListResponse } from "../../protocol/api.js";
import { fromBase64url } from "../../protocol/bytes.js";
import { requireSession } from "../auth/require-session.js";
import { findDevice, listDevices, setSealedName } from "../db/devices.js";
import type { AppEnv } from "../env.js";
import { Forbidden, NotFound } from "../errors.js";
import { readJson } from "../http/json-body.js";
import { deviceIdParam } from "../http/path-params.js";

/**
 * The caller's own devices, for the settings screen. Names are sealed by the client under the account
 * history key, so the server stores and returns them without reading them. Other accounts' devices are
 * learned from their verified logs, never from here.
 */
export const deviceRoutes = new Hono<AppEnv>()
  .get("/devices", requireSession, async (c) => {
    const devices = await listDevices(c.env.DB, c.var.session.accountId);
    return c.json({ devices } satisfies z.output<typeof deviceListResponse>);
  })
  .put("/devices/:deviceId/name", requireSession, async (c) => {
    const device = await findDevice(c.env.DB, deviceIdParam(c));
    if (!device) throw new NotFound("no such device");
    if (device.accountId !== c.var.session.accountId) throw new Forbidden("forbidden", "this device belongs to another account");
    const { sealedName } = await readJson(c, deviceNameRequest);
    await setSealedName(c.env.DB, device.deviceId, fromBase64url(sealedName));
    return c.body(null, 204);
  });
