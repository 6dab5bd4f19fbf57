// A server that lies about one account's device log, simulated at the network layer: the browser's
// requests for that log still reach the real `wrangler dev`, and the real answer is rewritten before
// the page sees it. Contexts must be created with `serviceWorkers: "block"` so no request escapes.
import type { BrowserContext, Route } from "playwright-core";

/** Rewrites a log (base64url entries, as the API serves them) into the lie to serve. */
export type LogLie = (realLog: string[]) => Promise<string[]>;

export interface LyingServer {
  /** How many answers were rewritten so far. */
  readonly served: () => number;
  /** Stops lying: later requests get the real answer. */
  readonly stop: () => Promise<void>;
}

const logBody = (b: unknown): b is { log: string[] } => typeof b === "object" && b !== null && Array.isArray((b as { log?: unknown }).log);

const searchBody = (b: unknown): b is { users: [{ log: string[] }] } => typeof b === "object" && b !== null && Array.isArray((b as { users?: unknown }).users) && (b as { users: unknown[] }).users.length === 1 && logBody((b as { users: unknown[] }).users[0]);

/**
 * Serves `lie(realLog)` instead of the account's log on GET /api/accounts/:id/log, GET /api/users/:username
 * and the directory search GET /api/users?username= (each carries the whole log), for every page of `context`.
 */
export async function lieAboutLog(context: BrowserContext, account: { accountId: string; username: string }, lie: LogLie): Promise<LyingServer> {
  const paths = new Set([`/api/accounts/${account.accountId}/log`, `/api/users/${account.username}`]);
  const matches = (url: URL) => paths.has(url.pathname) || (url.pathname === "/api/users" && url.searchParams.get("username")?.toLowerCase() === account.username);
  let served = 0;
  const handler = async (route: Route) => {
    if (route.request().method() !== "GET") return route.continue();
    const response = await route.fetch();
    const body: unknown = await response.json().catch(() => undefined);
    if (response.status() !== 200 || !(logBody(body) || searchBody(body))) return route.fulfill({ response });
    served += 1;
    // The body changes length: drop the real answer's length and encoding, keep its other headers.
    const headers = Object.fromEntries(Object.entries(response.headers()).filter(([k]) => k !== "content-length" && k !== "content-encoding"));
    const json = searchBody(body) ? { users: [{ ...body.users[0], log: await lie(body.users[0].log) }] } : { ...body, log: await lie((body as { log: string[] }).log) };
    await route.fulfill({ status: 200, headers, json });
  };
  await context.route(matches, handler);
  return { served: () => served, stop: () => context.unroute(matches, handler) };
}
