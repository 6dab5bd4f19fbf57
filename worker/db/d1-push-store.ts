// The push store over D1: the push_subscriptions and push_mutes tables (migration 0010).
import { z } from "zod";
import { accountIdSchema, conversationIdSchema, deviceIdSchema } from "../../protocol/api.js";
import type { AccountId, ConversationId, DeviceId } from "../../protocol/ids.js";
import type { LegacyPush, PushStore, StoredPushSubscription } from "../storage/push-store.js";
import { blob, parseRows } from "./rows.js";

const subscriptionRow = z.object({ device_id: deviceIdSchema, account_id: accountIdSchema, endpoint: z.string(), p256dh: blob, auth: blob });
const muteRow = z.object({ conversation_id: conversationIdSchema });

async function targets(db: D1Database, conversationId: ConversationId, accountIds: readonly AccountId[], includeMuted: boolean): Promise<StoredPushSubscription[]> {
  if (accountIds.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT s.device_id, s.account_id, s.endpoint, s.p256dh, s.auth
       FROM push_subscriptions s JOIN devices d ON d.device_id = s.device_id
       WHERE s.account_id IN (SELECT value FROM json_each(?1)) AND d.revoked_at IS NULL
         AND (?3 = 1 OR NOT EXISTS (SELECT 1 FROM push_mutes m WHERE m.account_id = s.account_id AND m.conversation_id = ?2))`,
    )
    .bind(JSON.stringify(accountIds), conversationId, includeMuted ? 1 : 0)
    .all();
  return parseRows(subscriptionRow, "push_subscriptions", results).map((r) => ({ deviceId: r.device_id, accountId: r.account_id, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth }));
}

export function d1PushStore(db: D1Database): PushStore {
  return {
    async putSubscription(s) {
      await db
        .prepare(
          `INSERT INTO push_subscriptions (device_id, account_id, endpoint, p256dh, auth, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
           ON CONFLICT (device_id) DO UPDATE SET endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
        )
        .bind(s.deviceId, s.accountId, s.endpoint, s.p256dh, s.auth, s.now)
        .run();
    },
    async deleteSubscription(_accountId, deviceId) {
      const r = await db.prepare("DELETE FROM push_subscriptions WHERE device_id = ?1").bind(deviceId).run();
      return r.meta.changes > 0;
    },
    async deleteSubscriptions(_accountId, deviceIds: readonly DeviceId[]) {
      if (deviceIds.length === 0) return;
      await db.prepare("DELETE FROM push_subscriptions WHERE device_id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(deviceIds)).run();
    },
    async deleteExpired(_accountId, deviceId, endpoint) {
      await db.prepare("DELETE FROM push_subscriptions WHERE device_id = ?1 AND endpoint = ?2").bind(deviceId, endpoint).run();
    },
    targets: (conversationId, accountIds, o) => targets(db, conversationId, accountIds, o?.includeMuted === true),
    async setMuted(accountId, conversationId, muted) {
      const sql = muted
        ? "INSERT INTO push_mutes (account_id, conversation_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
        : "DELETE FROM push_mutes WHERE account_id = ?1 AND conversation_id = ?2";
      await db.prepare(sql).bind(accountId, conversationId).run();
    },
    async listMuted(accountId, limit) {
      const { results } = await db.prepare("SELECT conversation_id FROM push_mutes WHERE account_id = ?1 ORDER BY conversation_id LIMIT ?2").bind(accountId, limit).all();
      return parseRows(muteRow, "push_mutes", results).map((r) => r.conversation_id);
    },
  };
}

const legacyRow = z.object({ device_id: deviceIdSchema, endpoint: z.string(), p256dh: blob, auth: blob, created_at: z.number().int() });

/**
 * An account's subscriptions (of its active devices) and mutes as D1 holds them, for its hub to take in
 * (issue 22): read in one batch.
 */
export async function readLegacyPush(db: D1Database, accountId: AccountId): Promise<LegacyPush> {
  const [subs, mutes] = await db.batch([
    db
      .prepare(
        `SELECT s.device_id, s.endpoint, s.p256dh, s.auth, s.created_at FROM push_subscriptions s JOIN devices d ON d.device_id = s.device_id
         WHERE s.account_id = ?1 AND d.revoked_at IS NULL`,
      )
      .bind(accountId),
    db.prepare("SELECT conversation_id FROM push_mutes WHERE account_id = ?1").bind(accountId),
  ]);
  return {
    subscriptions: parseRows(legacyRow, "push_subscriptions", subs?.results ?? []).map((r) => ({ deviceId: r.device_id, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth, createdAt: r.created_at })),
    mutes: parseRows(muteRow, "push_mutes", mutes?.results ?? []).map((r) => r.conversation_id),
  };
}

/** Deletes an account's push rows from D1 once its hub holds them. */
export async function deleteLegacyPush(db: D1Database, accountId: AccountId): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM push_subscriptions WHERE account_id = ?1").bind(accountId),
    db.prepare("DELETE FROM push_mutes WHERE account_id = ?1").bind(accountId),
  ]);
}

/** Where an account hub finds its account's push rows of the release before (issue 22): D1's tables. */
export function legacyPushOf(env: { readonly DB: D1Database }): { read(accountId: AccountId): Promise<LegacyPush>; remove(accountId: AccountId): Promise<void> } {
  return { read: (accountId) => readLegacyPush(env.DB, accountId), remove: (accountId) => deleteLegacyPush(env.DB, accountId) };
}
