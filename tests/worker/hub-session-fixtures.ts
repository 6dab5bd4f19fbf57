// Reaching an account hub's own session tables from a test (worker/realtime/hub-sessions.ts), and an API
// client on the D1 layout, whose logins hand out first-form tokens as the release before the move did.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../worker/app.js";
import { apiClient } from "../support/api-client.js";
import { ORIGIN } from "./api.js";

/** Runs `fn` over the SQLite of `accountId`'s hub, inside the object. */
export function hubSql<T>(accountId: string, fn: (sql: SqlStorage) => T): Promise<T> {
  const stub = env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(accountId));
  return runInDurableObject(stub, (_hub, state) => fn(state.storage.sql));
}

const app = createApp();

/** The app on the D1 layout: sessions stay in D1's table with first-form (bare 32-byte) tokens. */
export const d1LayoutApi = apiClient(ORIGIN, async (url, init) => {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), { ...env, STORAGE_LAYOUT: "d1" }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
});

/** The token part of a `name=value` cookie. */
export function tokenOf(cookie: string): string {
  return cookie.slice(cookie.indexOf("=") + 1);
}
