import { z } from "zod";
import { accountIdSchema, deviceIdSchema, type DeviceInfo } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import type { DeviceRecord } from "../storage/account-store.js";
import { blob, int, parseRow, parseRows } from "./rows.js";

const deviceRow = z.object({
  device_id: deviceIdSchema,
  account_id: accountIdSchema,
  signing_key: blob,
  revoked_at: int.nullable(),
});

export async function findDevice(db: D1Database, deviceId: DeviceId): Promise<DeviceRecord | undefined> {
  const row = await db.prepare("SELECT device_id, account_id, signing_key, revoked_at FROM devices WHERE device_id = ?1").bind(deviceId).first();
  if (!row) return undefined;
  const d = parseRow(deviceRow, "devices", row);
  return { deviceId: d.device_id, accountId: d.account_id, signingKey: d.signing_key, revoked: d.revoked_at !== null };
}

const listedRow = z.object({
  device_id: deviceIdSchema,
  added_seq: int.nonnegative(),
  created_at: int,
  last_seen_at: int.nullable(),
  revoked_at: int.nullable(),
  sealed_name: blob.nullable(),
});

/** Every device of the account, revoked ones included, in the order the log added them. */
export async function listDevices(db: D1Database, accountId: AccountId): Promise<DeviceInfo[]> {
  const { results } = await db
    .prepare("SELECT device_id, added_seq, created_at, last_seen_at, revoked_at, sealed_name FROM devices WHERE account_id = ?1 ORDER BY added_seq")
    .bind(accountId)
    .all();
  return parseRows(listedRow, "devices", results).map((d) => ({
    deviceId: d.device_id,
    addedAtSeq: d.added_seq,
    createdAt: d.created_at,
    lastSeenAt: d.last_seen_at,
    revokedAt: d.revoked_at,
    sealedName: d.sealed_name === null ? null : toBase64url(d.sealed_name),
  }));
}

export async function setSealedName(db: D1Database, deviceId: DeviceId, sealedName: Uint8Array): Promise<void> {
  await db.prepare("UPDATE devices SET sealed_name = ?2 WHERE device_id = ?1").bind(deviceId, sealedName).run();
}
