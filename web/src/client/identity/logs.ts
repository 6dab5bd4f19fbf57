import {
  assertLogExtends,
  fail,
  fromBase64url,
  isProtocolError,
  verifyLog,
  type AccountId,
  type AccountState,
  type DeviceId,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getContact, putAccount, putContact } from "../store/db.js";
import { ClientError } from "../errors.js";
import { noteRemovedDevices } from "./removals.js";
import { afterLogGrew } from "./verification.js";
import type { ContactProblem, ContactRow } from "../store/rows.js";

/**
 * Verified device logs. The store keeps each account's log exactly as first verified and extended since;
 * a fetched log is accepted only if it verifies, hashes to the known account id and extends what was
 * seen (DESIGN "Identity and devices"). States are recomputed from the stored bytes once per session.
 */

interface StoredLog {
  readonly log: readonly Uint8Array[];
  readonly own: boolean;
  readonly contact?: ContactRow;
}

async function storedLog(ctx: ClientContext, accountId: AccountId): Promise<StoredLog> {
  const account = await getAccount(ctx.db);
  if (account?.accountId === accountId) return { log: account.log, own: true };
  const contact = await getContact(ctx.db, accountId);
  if (contact) return { log: contact.log, own: false, contact };
  throw new ClientError("unknown_contact", "no verified log for this account");
}

/**
 * The verified state of a log the caller already loaded (its account or contact row): no store read.
 * Operations that load their rows once pass them here instead of calling stateOf again.
 */
export function stateOfLog(ctx: ClientContext, accountId: AccountId, log: readonly Uint8Array[]): Promise<AccountState> {
  return ctx.states.get(ctx.env, accountId, log);
}

/** The verified current state of one's own account or a contact. */
export async function stateOf(ctx: ClientContext, accountId: AccountId): Promise<AccountState> {
  const s = await storedLog(ctx, accountId);
  return ctx.states.get(ctx.env, accountId, s.log);
}

/**
 * The state as it was at log position `seq` (what a bundle or envelope citing that head saw), or
 * undefined when the stored log is not that long yet.
 */
export async function stateAt(ctx: ClientContext, accountId: AccountId, seq: number): Promise<AccountState | undefined> {
  const s = await storedLog(ctx, accountId);
  if (seq >= s.log.length) return undefined;
  return ctx.states.get(ctx.env, accountId, s.log.slice(0, seq + 1));
}

/** Marks a contact blocked with a lasting warning; it stays blocked until the user re-verifies. */
export async function blockContact(ctx: ClientContext, contact: ContactRow, problem: ContactProblem): Promise<ContactRow> {
  const row: ContactRow = { ...contact, status: "identity_changed", problem };
  await putContact(ctx.db, row);
  return row;
}

function problemFrom(e: unknown, now: number): ContactProblem | undefined {
  if (!isProtocolError(e)) return undefined;
  if (e.code === "identity_mismatch" || e.code === "log_conflict") return { code: e.code, detail: e.message, at: now };
  // A forged or broken entry in a known account's log is an alarm too, not a network hiccup.
  return { code: "invalid_log", detail: e.message, at: now };
}

/**
 * Checks a freshly fetched log against a contact seen before. On success the stored log is extended;
 * on a different genesis, a log that went backwards or forked, or a forged entry, the contact is blocked.
 */
export async function acceptContactLog(ctx: ClientContext, known: ContactRow, fetchedLog: readonly string[]): Promise<ContactRow> {
  if (known.status !== "verified") return known;
  let next: AccountState;
  try {
    next = await verifyLog(ctx.env, fetchedLog.map(fromBase64url), known.accountId);
    assertLogExtends({ head: known.head }, next);
  } catch (e) {
    const problem = problemFrom(e, ctx.now());
    if (!problem) throw e;
    return blockContact(ctx, known, problem);
  }
  if (next.head.seq === known.head.seq) return known;
  const row: ContactRow = afterLogGrew({ ...known, log: fetchedLog.map(fromBase64url), head: next.head }, known.head.seq, ctx.now());
  await putContact(ctx.db, row);
  await noteRemovedDevices(ctx, known.accountId, await ctx.states.get(ctx.env, known.accountId, known.log), next);
  return row;
}

/**
 * Fetches an account's log by id and extends the stored one (after an envelope or bundle cited a newer
 * head). One's own log that fails to extend is an alarm raised as an error.
 */
export async function refreshLog(ctx: ClientContext, accountId: AccountId): Promise<void> {
  const res = await ctx.api.accountLog(accountId);
  const account = await getAccount(ctx.db);
  if (account?.accountId === accountId) {
    const log = res.log.map(fromBase64url);
    const next = await verifyLog(ctx.env, log, accountId);
    assertLogExtends({ head: account.head }, next);
    if (next.head.seq > account.head.seq) {
      await putAccount(ctx.db, { ...account, log, head: next.head });
      await noteRemovedDevices(ctx, accountId, await ctx.states.get(ctx.env, accountId, account.log), next);
    }
    return;
  }
  const contact = await getContact(ctx.db, accountId);
  if (!contact) throw new ClientError("unknown_contact", "no verified log for this account");
  await acceptContactLog(ctx, contact, res.log);
}

/**
 * Refuses something new (a membership entry, rename or epoch bundle beyond what this client holds) signed
 * by a device that is not active on its account's log as it stands now, fetched fresh first. Judging it
 * at the position it cites is not enough: a revoked device can cite a position from before its removal
 * (docs/PROTOCOL.md "Authority is judged now").
 */
export async function assertActiveNow(ctx: ClientContext, accountId: AccountId, deviceId: DeviceId, what: string): Promise<void> {
  await refreshLog(ctx, accountId);
  const now = await stateOf(ctx, accountId);
  if (!now.devices.some((d) => d.deviceId === deviceId)) fail("unknown_signer", `${what} is signed by a device its account has since removed`);
}

/**
 * Records that a contact's envelope or bundle cited log position `seq`, which the server did not serve:
 * until the verified log reaches it, sending to that contact waits (assertNoWithheldHead).
 */
export async function noteCitedHead(ctx: ClientContext, accountId: AccountId, seq: number): Promise<void> {
  const contact = await getContact(ctx.db, accountId);
  if (!contact || seq <= contact.head.seq || seq <= (contact.citedSeq ?? -1)) return;
  await putContact(ctx.db, { ...contact, citedSeq: seq });
}

/**
 * Refuses to make or use an epoch for a contact whose own messages named a newer log position than the
 * server serves: the missing entries may remove a device, which must not get the next key. Fetches the
 * log once more first.
 */
export async function assertNoWithheldHead(ctx: ClientContext, accountId: AccountId): Promise<void> {
  const contact = await getContact(ctx.db, accountId);
  if (contact) await withheldHeadChecked(ctx, contact);
}

/**
 * assertNoWithheldHead for a contact row the caller already loaded. Returns the row to go on with: the
 * same one, or the one stored after fetching the log again.
 */
export async function withheldHeadChecked(ctx: ClientContext, contact: ContactRow): Promise<ContactRow> {
  if (contact.citedSeq === undefined || contact.citedSeq <= contact.head.seq) return contact;
  await refreshLog(ctx, contact.accountId);
  const again = (await getContact(ctx.db, contact.accountId)) ?? contact;
  if (again.citedSeq !== undefined && again.citedSeq > again.head.seq) {
    throw new ClientError("contact_log_withheld", `this contact's messages cite device-log position ${again.citedSeq}, but the server serves only up to ${again.head.seq}`);
  }
  return again;
}
