import { Hono } from "hono";
import type { z } from "zod";
import { appendLogRequest, type appendLogResponse } from "../../protocol/api.js";
import { bytesEqual, fromBase64url } from "../../protocol/bytes.js";
import { EntryKind, decodeEntry, verifyLog, type AccountState } from "../../protocol/device-log.js";
import { isProtocolError } from "../../protocol/errors.js";
import type { AccountId } from "../../protocol/ids.js";
import { revokeInHub } from "../auth/hub-session.js";
import { authenticate } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, Forbidden, ServerFault, Unauthenticated } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { accountIdParam } from "../http/path-params.js";
import { rateLimit } from "../http/rate-limit.js";
import { closeDeviceSockets, notifyAccounts } from "../realtime/notify.js";
import type { VerifiedAppend } from "../storage/account-store.js";
import type { Session } from "../storage/session-store.js";

type AppendLogResponse = z.output<typeof appendLogResponse>;

/** The stored log with the new entry verifies from genesis under the account id; else 400 naming the protocol's reason. */
async function verifyAppended(stored: readonly Uint8Array[], entry: Uint8Array, accountId: AccountId): Promise<AccountState> {
  try {
    return await verifyLog(cryptoEnv, [...stored, entry], accountId);
  } catch (e) {
    if (isProtocolError(e)) throw new BadRequest("invalid_entry", `the entry does not verify (${e.code}): ${e.message}`, { cause: e });
    throw e;
  }
}

/** What storing the entry changes in the devices table, read off the verified state. */
function effectOf(state: AccountState, kind: EntryKind, seq: number): Pick<VerifiedAppend, "added" | "removed"> {
  const added = state.devices.find((x) => x.addedAtSeq === seq);
  const removed = state.removedDevices.filter((x) => x.removedAtSeq === seq).map((x) => x.deviceId);
  const adds = kind === EntryKind.addDevice || kind === EntryKind.recover || kind === EntryKind.reset;
  const removes = kind === EntryKind.revoke || kind === EntryKind.reset || kind === EntryKind.leave;
  if (adds && !added) throw new ServerFault(`verified entry ${seq} added no device`);
  if (removes && removed.length === 0) throw new ServerFault(`verified entry ${seq} removed no device`);
  return {
    ...(adds && added ? { added: { deviceId: added.deviceId, signingKey: added.signingKey, boxKey: added.boxKey } } : {}),
    ...(removes ? { removed } : {}),
  };
}

/** Anonymous recover appends per client address per minute: each one verifies the whole log. */
const RECOVER_APPENDS_PER_MINUTE = 10;

/** The request's session, or undefined when it carries none (or a dead one). */
async function optionalSession(c: Ctx): Promise<Session | undefined> {
  try {
    return await authenticate(c);
  } catch (e) {
    if (e instanceof Unauthenticated) return undefined;
    throw e;
  }
}

async function readEntry(c: Ctx) {
  const bytes = fromBase64url((await readJson(c, appendLogRequest)).entry);
  return { ...(await decodeOr("invalid_entry", () => decodeEntry(bytes))), bytes };
}

/**
 * Appending to an account's device log (docs/API.md "Device log"). The server holds no account key: it
 * stores an entry only if the whole log with it verifies (signed by the current identity key and an
 * active device, as the kind requires), at exactly the next position, and keeps its devices table in
 * step: an added device can log in at once, a removed one is logged out at once.
 */
export async function appendToDeviceLog(c: Ctx) {
  const accountId = accountIdParam(c);
  const session = await optionalSession(c);
  // Checked before the body is read, like conversation membership.
  if (session && accountId !== session.accountId) throw new Forbidden("forbidden", "only a device of this account can append to its log");
  // Without a session only a recover entry is admitted: signed by the identity key, the recovery
  // signing key and the new device, it is its own authorization (the user has no device left).
  // Without one, a body that does not read is answered 401 like any other entry (its error kept as cause).
  let unreadable: { cause: unknown } | undefined;
  const entry = session
    ? await readEntry(c)
    : await readEntry(c).catch((e: unknown) => {
        unreadable = { cause: e };
        return undefined;
      });
  // A reset (the recovery key taking the account back from every device) is likewise self-authorising.
  const anonymousKind = entry?.kind === EntryKind.recover || entry?.kind === EntryKind.reset;
  if (!entry || (!session && !anonymousKind)) throw new Unauthenticated("log in first: only a recover or reset entry can be appended without a session", "unauthenticated", unreadable);
  const { bytes } = entry;
  if (!session) await rateLimit(c, "recover", RECOVER_APPENDS_PER_MINUTE, 60_000);
  const stores = c.var.stores;
  const stored = await stores.accounts.readLog(accountId);
  if (entry.seq < stored.length) {
    // A retry of an entry that was stored is answered like the first time; anything else is a fork.
    if (bytesEqual(stored[entry.seq]!, bytes)) return c.json({ seq: entry.seq } satisfies AppendLogResponse, 200);
    throw new Conflict("log_conflict", `position ${entry.seq} of the log already holds another entry: fetch the log and build on its head (${stored.length - 1})`);
  }
  if (entry.seq > stored.length) throw new BadRequest("invalid_entry", `the log holds ${stored.length} entries: the next one goes at position ${stored.length}, not ${entry.seq}`);
  const state = await verifyAppended(stored, bytes, accountId);
  const effect = effectOf(state, entry.kind, entry.seq);
  // The removed devices are refused by their hub before D1 changes: if anything fails from here, they stay refused.
  await revokeInHub(c, accountId, effect.removed ?? []);
  const result = await stores.accounts.appendLogEntry({ accountId, seq: entry.seq, entry: bytes, now: Date.now(), ...effect });
  if (result === "device_exists") throw new Conflict("device_exists", "this device key is already registered");
  if (result === "position_taken") {
    // Another append won the race for this position: the same bytes (a double submit) are fine.
    const winner = await stores.accounts.findLogEntry(accountId, entry.seq);
    if (winner && bytesEqual(winner, bytes)) return c.json({ seq: entry.seq } satisfies AppendLogResponse, 200);
    throw new Conflict("log_conflict", `position ${entry.seq} of the log was just taken by another entry: fetch the log and build on its head`);
  }
  if (entry.kind === EntryKind.recover || entry.kind === EntryKind.reset) await stores.recovery.markUsed(accountId, Date.now());
  // Before answering: once the client sees 201, the removed devices must have no socket left.
  await Promise.all((effect.removed ?? []).map((d) => closeDeviceSockets(c.env, accountId, d)));
  // A removed device gets no more push notifications (the push query also skips revoked devices; in the
  // objects layout its hub dropped them with its sessions already).
  await stores.push.deleteSubscriptions(accountId, effect.removed ?? []);
  // The account's own devices and everyone it talks to: peers must wrap new epochs for an added device
  // and stop wrapping for a removed one.
  const peers = await stores.conversations.peersOf(accountId);
  c.executionCtx.waitUntil(notifyAccounts(c.env, [accountId, ...peers], { type: "log", accountId, seq: entry.seq }));
  return c.json({ seq: entry.seq } satisfies AppendLogResponse, 201);
}

export const deviceLogRoutes = new Hono<AppEnv>().post("/accounts/:accountId/log", appendToDeviceLog);
