/**
 * push/: Web Push on this device (issue 19). prefs.ts: the stored push state (privacy choice, muted
 * chats, the registered endpoint); notification-text.ts: what a notification says; subscription.ts:
 * turning notifications on and off (page only); ingest.ts: what the service worker does with a push.
 * Everything but subscription.ts runs in the service worker as well as the page.
 */
import type { ConversationId } from "../../../../protocol/index.js";
import type { SealedDb } from "../store/db.js";
import { parseRow } from "../store/rows.js";
import { pushPrefsRow, type NotificationPrivacy, type PushPrefsRow } from "./prefs-row.js";

const DEFAULTS: PushPrefsRow = { id: "self", privacy: "full", muted: [] };

export async function getPushPrefs(db: SealedDb): Promise<PushPrefsRow> {
  const r = await db.pushPrefs.get("self");
  return r === undefined ? DEFAULTS : parseRow(pushPrefsRow, "pushPrefs", r);
}

/** Changes the row in one transaction (the page and the service worker may both write it). */
export async function updatePushPrefs(db: SealedDb, change: (p: PushPrefsRow) => PushPrefsRow): Promise<PushPrefsRow> {
  return db.transaction("rw", db.pushPrefs, async () => {
    const next = parseRow(pushPrefsRow, "pushPrefs", change(await getPushPrefs(db)));
    await db.pushPrefs.put(next);
    return next;
  });
}

export function setPrivacy(db: SealedDb, privacy: NotificationPrivacy): Promise<PushPrefsRow> {
  return updatePushPrefs(db, (p) => ({ ...p, privacy }));
}

export function setMutedLocally(db: SealedDb, id: ConversationId, muted: boolean): Promise<PushPrefsRow> {
  return updatePushPrefs(db, (p) => ({ ...p, muted: muted ? [...new Set([...p.muted, id])] : p.muted.filter((m) => m !== id) }));
}

export type { NotificationPrivacy, PushPrefsRow };
