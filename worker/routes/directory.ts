import { Hono } from "hono";
import type { z } from "zod";
import { USERNAME_PATTERN } from "../../protocol/ids.js";
import { toBase64url } from "../../protocol/bytes.js";
import type { accountLogResponse } from "../../protocol/api.js";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { NotFound } from "../errors.js";
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

export async function fetchAccountLog(c: Ctx) {
  const account = await c.var.stores.directory.findById(accountIdParam(c));
  if (!account) throw new NotFound("no such account");
  return c.json(await logResponse(c, account));
}

/**
 * The directory: an account's device log by username or by id. Logged-in users only, so the list of
 * accounts cannot be scraped anonymously. Clients verify the log themselves; the server only serves it.
 */
export const directoryRoutes = new Hono<AppEnv>().get("/users/:username", requireSession, lookUpUser).get("/accounts/:accountId/log", requireSession, fetchAccountLog);
