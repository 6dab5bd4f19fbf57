// The HTTP side of a load client: the test fixtures' API client over Node's fetch, and a send that
// retries the way the web client's outbox does.
import { apiClient, type ApiClient } from "../../../tests/support/api-client.js";
import type { LoggedInAccount } from "../../../tests/support/account.js";
import { postEnvelope, type TestEpoch } from "../../../tests/support/conversation.js";
import { sleep } from "../stats.js";

export const nodeApi = (baseURL: string): ApiClient => apiClient(baseURL, (url, init) => fetch(url, init));

export interface SendStats {
  /** 503 answers from wrangler dev ("Your worker restarted mid-request") and dropped connections, retried. */
  restarts: number;
}

/**
 * Posts an envelope and expects 201. A 503 from the dev server's proxy (the worker runtime was being
 * restarted) or a connection dropped before the answer is retried, as the client's outbox would: sends are idempotent on the client message id,
 * and a retry of an envelope the server did store answers 200, which also counts as sent.
 */
export async function send(api: ApiClient, sender: LoggedInAccount, epoch: TestEpoch, envelope: { b64: string }, stats: SendStats): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    // A dropped connection (workerd alone resets one now and then under load) is retried like a 503.
    const res = await postEnvelope(api, sender, epoch.conversationId, envelope).catch((e: unknown) => {
      if (!(e instanceof TypeError) || attempt >= 5) throw e;
      return undefined;
    });
    if (res === undefined) {
      stats.restarts += 1;
      await sleep(250 * (attempt + 1));
      continue;
    }
    if (res.status === 201 || (attempt > 0 && res.status === 200)) return void (await res.body?.cancel());
    const text = await res.text();
    if (res.status !== 503 || attempt >= 5) throw new Error(`send failed: ${res.status} ${text}`);
    stats.restarts += 1;
    await sleep(250 * (attempt + 1));
  }
}
