import { z } from "zod";
import { accountIdSchema, deviceIdSchema } from "../../protocol/api.js";
import type { DeviceId } from "../../protocol/ids.js";
import { blob, int, parseRow } from "./rows.js";

const deviceRow = z.object({
  device_id: deviceIdSchema,
  account_id: accountIdSchema,
  signing_key: blob,
  revoked_at: int.nullable(),
});

export interface DeviceRow {
  readonly deviceId: DeviceId;
  readonly accountId: z.output<typeof accountIdSchema>;
  /** Raw Ed25519 public key: verifies the device's logins, bundles and envelopes. */
  readonly signingKey: Uint8Array;
  readonly revoked: boolean;
}

export async function findDevice(db: D1Database, deviceId: DeviceId): Promise<DeviceRow | undefined> {
  const row = await db.prepare("SELECT device_id, account_id, signing_key, revoked_at FROM devices WHERE device_id = ?1").bind(deviceId).first();
  if (!row) return undefined;
  const d = parseRow(deviceRow, row, "devices");
  return { deviceId: d.device_id, accountId: d.account_id, signingKey: d.signing_key, revoked: d.revoked_at !== null };
}
