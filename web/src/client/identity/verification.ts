import { EntryKind, checkVerifyCode, decodeEntry, encodeVerifyCode, makeVerifyCode, parseVerifyCode, type AccountId, type VerifyOutcome } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getContact, putContact } from "../store/db.js";
import { ClientError } from "../errors.js";
import type { ContactRow } from "../store/rows.js";
import { queueVerificationShare, verificationTables } from "../chats/settings-share.js";

/**
 * Verification of a contact (issue 21): a scanned safety-number code or a mark by hand stores the
 * identity key and log position verified. Entries the identity key vouches for (devices added, revoked,
 * recovery rotated) keep the mark; a reset, which replaces the identity key by the recovery key alone,
 * drops it and leaves a warning until the user re-trusts the contact (docs/decisions.md "Verification").
 * Marking, clearing and trusting again are shared with the account's other devices through the 1:1
 * chat's settings (chats/settings-share.ts), in the same transaction as the contact row.
 */

/** Stores the contact row and queues the change for the account's other devices, together. */
async function putShared(ctx: ClientContext, row: ContactRow, trustedIdentity?: Uint8Array): Promise<void> {
  await ctx.db.transaction("rw", verificationTables(ctx.db), async () => {
    await putContact(ctx.db, row);
    await queueVerificationShare(ctx.db, row.accountId, trustedIdentity);
  });
}

async function me(ctx: ClientContext): Promise<AccountId> {
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  return account.accountId;
}

async function contactOf(ctx: ClientContext, accountId: AccountId): Promise<ContactRow> {
  const c = await getContact(ctx.db, accountId);
  if (!c) throw new ClientError("unknown_contact", "no such contact");
  return c;
}

/** The text of the QR code this account shows to a contact. */
export async function myVerifyCode(ctx: ClientContext, contact: AccountId): Promise<string> {
  return encodeVerifyCode(await makeVerifyCode(ctx.env, await me(ctx), contact));
}

/** Marks a contact verified at its current log head (and acknowledges any key change). */
export async function markVerified(ctx: ClientContext, accountId: AccountId): Promise<ContactRow> {
  const c = await contactOf(ctx, accountId);
  if (c.status !== "verified") throw new ClientError("contact_blocked", `${c.username}'s identity changed; it cannot be marked verified`);
  const state = await ctx.states.get(ctx.env, c.accountId, c.log);
  const { keyChanged: _ack, ...rest } = c;
  const row: ContactRow = { ...rest, verified: { identityKey: state.identityKey, seq: state.head.seq, at: ctx.now() } };
  await putShared(ctx, row, state.identityKey);
  return row;
}

export async function clearVerified(ctx: ClientContext, accountId: AccountId): Promise<ContactRow> {
  const { verified: _gone, ...row } = await contactOf(ctx, accountId);
  await putShared(ctx, row);
  return row;
}

/** Acknowledges a contact's new identity key after a reset ("Trust again"): the warning goes, no mark is set. */
export async function trustAgain(ctx: ClientContext, accountId: AccountId): Promise<ContactRow> {
  const c = await contactOf(ctx, accountId);
  const state = await ctx.states.get(ctx.env, c.accountId, c.log);
  const { keyChanged: _ack, ...row } = c;
  await putShared(ctx, row, state.identityKey);
  return row;
}

/** Judges a scanned code for this contact; only a match stores anything. */
export async function scanVerifyCode(ctx: ClientContext, accountId: AccountId, text: string): Promise<VerifyOutcome> {
  const code = parseVerifyCode(text);
  const outcome = await checkVerifyCode(ctx.env, code, await me(ctx), accountId);
  if (outcome === "match") await markVerified(ctx, accountId);
  return outcome;
}

/**
 * A contact's log grew from `fromSeq` to the entries in `log`: when one of the new entries is a reset,
 * the row loses its verified mark and carries a key-change warning. Called where logs are accepted.
 */
export function afterLogGrew(row: ContactRow, fromSeq: number, now: number): ContactRow {
  let resetAt: number | undefined;
  for (let seq = fromSeq + 1; seq < row.log.length; seq++) if (decodeEntry(row.log[seq]!).kind === EntryKind.reset) resetAt = seq;
  if (resetAt === undefined) return row;
  const { verified: _gone, ...rest } = row;
  return { ...rest, keyChanged: { seq: resetAt, at: now } };
}
