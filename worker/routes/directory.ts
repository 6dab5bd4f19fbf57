import { Hono } from "hono";
import type { z } from "zod";
import { USERNAME_PATTERN } from "../../protocol/ids.js";
import { toBase64url } from "../../protocol/bytes.js";
import type { accountLogResponse } from "../../protocol/api.js";
import { requireSession } from "../auth/require-session.js";
import { findAccount, findAccountByUsername, readLog, type AccountRow } from "../db/accounts.js";
import type { AppEnv } from "../env.js";
import { NotFound } from "../errors.js";
import { accountIdParam } from "../http/path-params.js";

/**
 * The directory: an account's device log by username or by id. Logged-in users only, so the list of
 * accounts cannot be scraped anonymously. Clients verify the log themselves; the server only serves it.
 */
async function logResponse(db: D1Database, account: AccountRow): Promise<z.output<typeof accountLogResponse>> {
  const log = await readLog(db, account.id);
  return { username: account.username, accountId: account.id, log: log.map(toBase64url) };
}

export const directoryRoutes = new Hono<AppEnv>()
  .get("/users/:username", requireSession, async (c) => {
    // Usernames are stored lower-case (the genesis holds the canonical form); lookups forgive case.
    const username = c.req.param("username").toLowerCase();
    const account = USERNAME_PATTERN.test(username) ? await findAccountByUsername(c.env.DB, username) : undefined;
    if (!account) throw new NotFound("no such user");
    return c.json(await logResponse(c.env.DB, account));
  })
  .get("/accounts/:accountId/log", requireSession, async (c) => {
    const account = await findAccount(c.env.DB, accountIdParam(c));
    if (!account) throw new NotFound("no such account");
    return c.json(await logResponse(c.env.DB, account));
  });
