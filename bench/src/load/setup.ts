// Setting up load: accounts, sessions, conversations and sockets, each step retried whole on failure.
// After some thousands of requests wrangler dev's proxy now and then answers 503 "Your worker restarted
// mid-request" although nothing changed (a likely cause: its inspector proxy keeps every DevTools event
// of the worker in memory while no DevTools client is attached, until its isolate is reset). The fixtures
// do not retry, and a blind retry of a POST is not always right, so each step is redone from the start
// with fresh values: a half-made account or an unused epoch is harmless.
import { createAccount as createOnce, logIn as logInOnce, type LoggedInAccount, type TestAccount } from "../../../tests/support/account.js";
import type { ApiClient } from "../../../tests/support/api-client.js";
import { makeEpochBundle, openConversation, type TestEpoch } from "../../../tests/support/conversation.js";
import { epochListResponse } from "../../../protocol/api.js";
import { toBase64url } from "../../../protocol/bytes.js";
import { connectDevice, type DeviceSocket, type MessageFrameSeen } from "../realtime-client.js";
import { sleep } from "../stats.js";

const ATTEMPTS = 4;

/** The steps that had to be redone, and why, for the notes. */
export const setupRetries = { count: 0, errors: new Map<string, number>() };

async function retried<T>(what: string, step: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step(attempt);
    } catch (e) {
      if (attempt + 1 >= ATTEMPTS) throw new Error(`${what} failed ${ATTEMPTS} times; last: ${e instanceof Error ? e.message : String(e)}`);
      setupRetries.count += 1;
      // Ids and usernames differ per attempt; the status and the server's words are what repeat.
      const why = (e instanceof Error ? e.message : String(e)).replace(/\S*[A-Za-z0-9_-]{20,}\S*/g, "…").slice(0, 160);
      setupRetries.errors.set(why, (setupRetries.errors.get(why) ?? 0) + 1);
      await sleep(250 * (attempt + 1));
    }
  }
}

export const createAccount = (api: ApiClient, prefix: string): Promise<LoggedInAccount> => retried("sign-up", () => createOnce(api, prefix));

export const logIn = (api: ApiClient, account: TestAccount): Promise<string> => retried("login", () => logInOnce(api, account));

/**
 * Opens the direct conversation of `a` and `b` and posts an epoch made by `a`. A retry asks the server
 * which epoch is next (it takes only the newest plus one): the failed attempt may or may not have stored
 * its bundle.
 */
export const startConversation = (api: ApiClient, a: LoggedInAccount, b: LoggedInAccount): Promise<TestEpoch> =>
  retried("conversation", async (attempt) => {
    const id = await openConversation(api, a, b);
    let next = 0;
    if (attempt > 0) {
      const listed = await api.call("GET", `/api/conversations/${id}/epochs`, { cookie: a.cookie });
      if (listed.status !== 200) throw new Error(`list epochs failed: ${listed.status} ${await listed.text()}`);
      next = epochListResponse.parse(await listed.json()).epochs.length;
    }
    const epoch = await makeEpochBundle(a, id, [a, b], next);
    const res = await api.call("POST", `/api/conversations/${id}/epochs`, { cookie: a.cookie, json: { bundle: toBase64url(epoch.bytes) } });
    if (res.status !== 201) throw new Error(`post epoch failed: ${res.status} ${await res.text()}`);
    return epoch;
  });

export const connect = (baseURL: string, cookie: string, onMessage: (m: MessageFrameSeen) => void): Promise<DeviceSocket> =>
  retried("realtime socket", () => connectDevice(baseURL, cookie, onMessage));
