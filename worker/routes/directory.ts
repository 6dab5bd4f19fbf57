import { Hono } from "hono";
import type { z } from "zod";
import { USERNAME_PATTERN } from "../../protocol/ids.js";
import { toBase64url } from "../../protocol/bytes.js";
import { USERNAME_RULE, type accountLogResponse, type userSearchResponse } from "../../protocol/api.js";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, NotFound } from "../errors.js";
import { accountIdParam } from "../http/path-params.js";
import type { DirectoryEntry } from "../storage/directory.js";

async function logResponse(c: Ctx, account: DirectoryEntry): Promise<z.output<typeof accountLogResponse>> {
  const log = await c.var.stores.accounts.readLog(account.id);
  return { username: account.username, accountId: account.id, log: log.map(toBase64url) };
}

export async function lookUpUser(c: Ctx) {
  // Usernames are stored lower-case (the genesis holds the canonical form); lookups forgive case.
  const username = c.req.param("username")?.toLowerCase() ?? "";
  const account = USERNAME_PATTERN.test(username) ? await c.var.stores.directory.findByUsername(username) : undefined;
  if (!account) throw new NotFound("no such user");
  return c.json(await logResponse(c, account));
}

/**
 * GET /api/users?username=NAME: the same lookup as a search, answering 200 with no users for a name no one
 * uses. Clients use this one, so an expected "no such user" is not a failed request in the browser's console.
 */
export async function searchUsers(c: Ctx) {
  const raw = c.req.query("username");
  if (raw === undefined || raw.length > 64) throw new BadRequest("invalid_query", "username: give one username to look up, at most 64 characters");
  const username = raw.toLowerCase();
  if (!USERNAME_PATTERN.test(username)) throw new BadRequest("invalid_query", `username: ${USERNAME_RULE}`);
  const account = await c.var.stores.directory.findByUsername(username);
  return c.json({ users: account ? [await logResponse(c, account)] : [] } satisfies z.output<typeof userSearchResponse>);
}

export async function fetchAccountLog(c: Ctx) {
  const account = await c.var.stores.directory.findById(accountIdParam(c));
  if (!account) throw new NotFound("no such account");
  return c.json(await logResponse(c, account));
}

/**
 * The directory: an account's device log by username or by id. Logged-in users only, so the list of
 * accounts cannot be scraped anonymously. Clients verify the log themselves; the server only serves it.
 */
export const directoryRoutes = new Hono<AppEnv>().get("/users", requireSession, searchUsers).get("/users/:username", requireSession, lookUpUser).get("/accounts/:accountId/log", requireSession, fetchAccountLog);
