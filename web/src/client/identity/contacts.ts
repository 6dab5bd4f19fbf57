import { fromBase64url, parseUsername, safetyNumber, verifyLog, type AccountId } from "../../../../protocol/index.js";
import { isApiError } from "../transport/api.js";
import type { ClientContext } from "../context.js";
import { getAccount, getContact, getContactByUsername, putContact } from "../store/db.js";
import { ClientError, usernameFrom } from "../errors.js";
import { acceptContactLog } from "./logs.js";
import type { ContactRow } from "../store/rows.js";

/**
 * Contacts, trusted on first use: the first verified log of a username fixes its account id; every later
 * fetch must hash to that id and extend the stored log, or the contact is blocked (logs.ts).
 */

async function requireAccount(ctx: ClientContext) {
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  return account;
}

/** A contact seen for the first time: verify its whole log and check the server's labels against it. */
async function firstSight(ctx: ClientContext, fetched: { username: string; accountId: AccountId; log: string[] }, expect: { username?: string; accountId?: AccountId }): Promise<ContactRow> {
  const log = fetched.log.map(fromBase64url);
  const state = await verifyLog(ctx.env, log, expect.accountId);
  if (state.accountId !== fetched.accountId || state.username !== fetched.username || (expect.username !== undefined && state.username !== expect.username)) {
    throw new ClientError("username_mismatch", "the server answered with another account's log");
  }
  const row: ContactRow = { accountId: state.accountId, username: state.username, log, head: state.head, status: "verified", addedAt: ctx.now() };
  // The server keeps usernames unique, so a second account under a known username means the server
  // rebound it: the newcomer is stored blocked rather than silently trusted.
  const sameName = await getContactByUsername(ctx.db, state.username);
  if (sameName && sameName.accountId !== state.accountId) {
    row.status = "identity_changed";
    row.problem = { code: "identity_mismatch", detail: "another account already holds this username in your contacts", at: ctx.now() };
  }
  await putContact(ctx.db, row);
  return row;
}

/**
 * Looks a username up and stores (or re-checks) it as a contact. A known contact whose log no longer
 * checks out comes back with status "identity_changed".
 */
export async function addContact(ctx: ClientContext, input: string): Promise<ContactRow> {
  const username = usernameFrom(input, parseUsername);
  const me = await requireAccount(ctx);
  if (username === me.username) throw new ClientError("self_contact", "that is your own username");
  const fetched = await ctx.api.userByName(username);
  const known = await getContactByUsername(ctx.db, username);
  if (known) return acceptContactLog(ctx, known, fetched.log);
  return firstSight(ctx, fetched, { username });
}

/** The contact for an account met through a conversation someone else started (trust on first use). */
export async function ensureContactById(ctx: ClientContext, accountId: AccountId): Promise<ContactRow> {
  const known = await getContact(ctx.db, accountId);
  if (known) return known;
  const fetched = await ctx.api.accountLog(accountId);
  return firstSight(ctx, fetched, { accountId });
}

/**
 * Re-fetches a contact by username (as on opening its chat): a server that now serves another genesis
 * for the name, or a shorter or forked log, blocks the contact. A missing user leaves it unchanged.
 */
export async function refreshContact(ctx: ClientContext, accountId: AccountId): Promise<ContactRow> {
  const known = await getContact(ctx.db, accountId);
  if (!known) throw new ClientError("unknown_contact", "no such contact");
  if (known.status !== "verified") return known;
  let fetched;
  try {
    fetched = await ctx.api.userByName(known.username);
  } catch (e) {
    if (isApiError(e) && e.status === 404) return known;
    throw e;
  }
  return acceptContactLog(ctx, known, fetched.log);
}

/** The 60-digit safety number of this account and a contact, in 12 groups of 5. */
export async function contactSafetyNumber(ctx: ClientContext, accountId: AccountId): Promise<string> {
  const me = await requireAccount(ctx);
  return safetyNumber(ctx.env, me.accountId, accountId);
}

/** Throws unless messages may go to this contact. */
export function assertSendable(contact: ContactRow): void {
  if (contact.status !== "verified") throw new ClientError("contact_blocked", `${contact.username}'s identity changed; sending is stopped until you verify them again`);
}
