import { z } from "zod";
import { EntryKind, decodeEntry, decodeAddDevicePayload, decodeResetPayload, deviceIdOf, isProtocolError } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice } from "../store/db.js";
import { ClientError } from "../errors.js";
import { adoptRotatedSecrets } from "./key-updates.js";
import { refreshLog } from "./logs.js";

/**
 * One's own device log is checked like a contact's (DESIGN "Identity and devices"): a forged entry, a
 * log that went backwards or forked, or an entry signed with a retired identity key raises a lasting
 * alarm and stops sending from this device until the user deals with it. The alarm, and the last log
 * position whose new devices the user has seen, live in localStorage (per origin, like the keys).
 */
const ALARM_KEY = "sealed-own-log-alarm";
const SEEN_KEY = "sealed-devices-seen-seq";

export const ownLogAlarm = z.object({ code: z.string(), detail: z.string(), at: z.number() });
export type OwnLogAlarm = z.infer<typeof ownLogAlarm>;

/** Where localStorage does not exist (Node tests), an in-memory stand-in. */
const memory = new Map<string, string>();
const fallback = { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v), removeItem: (k: string) => void memory.delete(k) };

function storage(): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  return typeof localStorage === "undefined" ? fallback : localStorage;
}

/** Fires "change" with every check, so the UI can show the alarm or the new-device banner at once. */
export const ownLogEvents = new EventTarget();
let last: OwnLogCheck = { alarm: undefined, newDevices: [] };

export function lastOwnLogCheck(): OwnLogCheck {
  return last;
}

function report(c: OwnLogCheck): OwnLogCheck {
  last = c;
  ownLogEvents.dispatchEvent(new Event("change"));
  return c;
}

export function ownLogAlarmNow(): OwnLogAlarm | undefined {
  const raw = storage().getItem(ALARM_KEY);
  if (!raw) return undefined;
  try {
    const parsed = ownLogAlarm.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : { code: "invalid_log", detail: "stored alarm unreadable", at: 0 };
  } catch {
    return { code: "invalid_log", detail: "stored alarm unreadable", at: 0 };
  }
}

export function clearOwnLogAlarm(): void {
  storage().removeItem(ALARM_KEY);
}

/** Throws when sending must stop because this account's own log failed verification. */
export function assertOwnLogTrusted(): void {
  const alarm = ownLogAlarmNow();
  if (alarm) throw new ClientError("account_log_alarm", `this account's device list failed verification (${alarm.code}); sending is stopped`);
}

/** The result of checking one's own log: an alarm, or devices added since the user last looked. */
export interface OwnLogCheck {
  readonly alarm: OwnLogAlarm | undefined;
  /** Log positions of add-device entries (other than this device's) the user has not reviewed yet. */
  readonly newDevices: readonly number[];
}

/**
 * Fetches and verifies the account's own log. Network failures are left to the caller; a protocol
 * failure (unknown_signer, chain_broken, log_conflict, bad_signature, ...) becomes a stored alarm.
 */
export async function checkOwnLog(ctx: ClientContext): Promise<OwnLogCheck> {
  const account = await getAccount(ctx.db);
  if (!account) return { alarm: undefined, newDevices: [] };
  try {
    await refreshLog(ctx, account.accountId);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    const alarm: OwnLogAlarm = { code: e.code, detail: e.message, at: ctx.now() };
    storage().setItem(ALARM_KEY, JSON.stringify(alarm));
    return report({ alarm, newDevices: [] });
  }
  // A revoke or recovery-key rotation made on another device: take the new keys it sealed to this one.
  await adoptRotatedSecrets(ctx).catch((e: unknown) => console.warn("could not adopt the account's new keys:", e));
  return report({ alarm: ownLogAlarmNow(), newDevices: await unseenDevices(ctx) });
}

async function unseenDevices(ctx: ClientContext): Promise<number[]> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) return [];
  const seenRaw = storage().getItem(`${SEEN_KEY}:${account.accountId}`);
  if (seenRaw === null || seenRaw === undefined) {
    // First look on this device: everything before now is known (it was there when this device joined).
    storage().setItem(`${SEEN_KEY}:${account.accountId}`, String(account.head.seq));
    return [];
  }
  const seen = Number(seenRaw);
  const out: number[] = [];
  for (let seq = seen + 1; seq < account.log.length; seq++) {
    const e = decodeEntry(account.log[seq]!);
    // A device restored with the recovery key (recover or reset entry) is announced like a linked one.
    if (e.kind !== EntryKind.addDevice && e.kind !== EntryKind.recover && e.kind !== EntryKind.reset) continue;
    const key = e.kind === EntryKind.reset ? decodeResetPayload(e.payload).deviceSigningKey : decodeAddDevicePayload(e.payload).deviceSigningKey;
    const added = await deviceIdOf(ctx.env, key);
    if (added !== device.deviceId) out.push(seq);
  }
  return out;
}

/** The user reviewed the device list: new devices up to the current head stop being announced. */
export async function markDevicesSeen(ctx: ClientContext): Promise<void> {
  const account = await getAccount(ctx.db);
  if (account) storage().setItem(`${SEEN_KEY}:${account.accountId}`, String(account.head.seq));
  report({ alarm: ownLogAlarmNow(), newDevices: [] });
}
