import { Hono } from "hono";
import type { z } from "zod";
import { putProfileRequest, type profileResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { decodeProfileBlob } from "../../protocol/profile.js";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { accountIdParam } from "../http/path-params.js";

/**
 * Profiles (docs/API.md "Profiles", docs/PROTOCOL.md "Profile"): an account's display name and avatar,
 * sealed by its devices under a key the server never sees. The server checks only the blob's structure
 * (size, version, padding bucket) and keeps the newest one per account; which blob is current is decided
 * by the clients, who accept only the blob whose digest the account's own signed messages name.
 */
export async function storeProfile(c: Ctx) {
  const bytes = fromBase64url((await readJson(c, putProfileRequest)).sealed);
  await decodeOr("invalid_profile", () => decodeProfileBlob(bytes));
  await c.var.stores.profiles.put({ accountId: c.var.session.accountId, sealed: bytes, now: Date.now() });
  return c.body(null, 204);
}

/**
 * Any signed-in user may fetch any account's sealed profile: it opens only with the key its contacts hold.
 * An account with none (or no such account: the same answer) is `sealed: null` with 200, since every new
 * account's devices ask for their own before one is set, and a 404 would be a failed request in the
 * browser's console each time.
 */
export async function fetchProfile(c: Ctx) {
  const stored = await c.var.stores.profiles.get(accountIdParam(c));
  if (!stored) return c.json({ sealed: null, updatedAt: null } satisfies z.output<typeof profileResponse>);
  return c.json({ sealed: toBase64url(stored.sealed), updatedAt: stored.updatedAt } satisfies z.output<typeof profileResponse>);
}

export const profileRoutes = new Hono<AppEnv>().put("/profile", requireSession, storeProfile).get("/accounts/:accountId/profile", requireSession, fetchProfile);
