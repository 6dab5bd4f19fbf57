// Node-side helpers for the linking tests: a contact (Bob) who lives in the API, not in a browser.
import type { Page } from "playwright-core";
import { createEpochBundle, decodeBundle, directMembershipHead, fromBase64url, toBase64url, verifyLog, type AccountState, type ConversationId, type KnownContent } from "../../protocol/index.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { apiClient, type ApiClient } from "../support/api-client.js";
import { makeEnvelope, postEnvelope, type TestEpoch } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { rememberSecret } from "./known-secrets";

export function nodeApi(baseURL: string): ApiClient {
  return apiClient(baseURL, (url, init) => fetch(url, init));
}

/** A contact driven at protocol level: real keys, real envelopes, through the real server. */
export class ApiContact {
  private epoch: TestEpoch | undefined;
  conversationId: ConversationId | undefined;

  private constructor(
    readonly api: ApiClient,
    readonly me: LoggedInAccount,
  ) {}

  static async create(api: ApiClient, prefix: string): Promise<ApiContact> {
    const me = await createAccount(api, prefix);
    // The account's transferable secrets: the seeds inside their PKCS#8 (RFC 8410: bytes 16..48).
    for (const [kind, key] of [["identity key", me.keys.identity.privateKey], ["history key", me.keys.history.privateKey]] as const) {
      rememberSecret(kind, new Uint8Array((await testCrypto.subtle.exportKey("pkcs8", key)) as ArrayBuffer).subarray(16, 48));
    }
    rememberSecret("recovery key bytes", me.keys.recoveryKey);
    return new ApiContact(api, me);
  }

  get username(): string {
    return this.me.username;
  }

  /** The peer's verified log as the server serves it now. */
  async peerState(username: string): Promise<AccountState> {
    const res = await this.api.call("GET", `/api/users/${username}`, { cookie: this.me.cookie });
    if (res.status !== 200) throw new Error(`lookup failed: ${res.status}`);
    const body = (await res.json()) as { accountId: string; log: string[] };
    return verifyLog(testCrypto, body.log.map(fromBase64url));
  }

  /** Opens the chat with `peer` and posts a new epoch made for the peer's current devices. */
  async newEpoch(peer: string): Promise<TestEpoch> {
    const state = await this.peerState(peer);
    if (!this.conversationId) {
      const res = await this.api.call("POST", "/api/conversations", { cookie: this.me.cookie, json: { peer: state.accountId } });
      if (res.status !== 201 && res.status !== 200) throw new Error(`open conversation failed: ${res.status}`);
      this.conversationId = ((await res.json()) as { conversation: { id: ConversationId } }).conversation.id;
    }
    // The peer's devices make epochs too (after their log moved), possibly at this very moment: take the
    // next free number, and the one after if a device of theirs got there first (409 epoch_exists).
    for (let attempt = 0; ; attempt++) {
      const latest = await this.latestEpoch();
      const number = Number.isFinite(latest) ? latest + 1 : 0;
      const { bytes, bundle, ck } = await createEpochBundle(testCrypto, {
        conversationId: this.conversationId,
        epoch: number,
        creator: { accountId: this.me.accountId, deviceId: this.me.deviceId, signingKey: this.me.keys.deviceSigning.privateKey },
        membershipHead: await directMembershipHead(testCrypto, this.me.accountId, state.accountId),
        members: [this.me.state, state],
        createdAt: Date.now(),
      });
      const res = await this.api.call("POST", `/api/conversations/${this.conversationId}/epochs`, { cookie: this.me.cookie, json: { bundle: toBase64url(bytes) } });
      if (res.status === 409 && attempt < 5) continue;
      if (res.status !== 201) throw new Error(`post epoch failed: ${res.status} ${await res.text()}`);
      this.epoch = { conversationId: this.conversationId, epoch: number, keyId: bundle.keyId, ck, bundle, bytes };
      return this.epoch;
    }
  }

  async send(texts: readonly string[]): Promise<void> {
    const epoch = this.epoch;
    if (!epoch) throw new Error("no epoch yet");
    for (const text of texts) {
      rememberSecret("message", text);
      const res = await postEnvelope(this.api, this.me, epoch.conversationId, await makeEnvelope(this.me, epoch, text));
      if (res.status !== 201) throw new Error(`post message failed: ${res.status} ${await res.text()}`);
    }
  }

  /** Sends one message of other content: a known kind, or encoded body bytes (a kind no version knows yet). */
  async sendContent(body: KnownContent | Uint8Array): Promise<void> {
    const epoch = this.epoch;
    if (!epoch) throw new Error("no epoch yet");
    const res = await postEnvelope(this.api, this.me, epoch.conversationId, await makeEnvelope(this.me, epoch, "", { body }));
    if (res.status !== 201) throw new Error(`post message failed: ${res.status} ${await res.text()}`);
  }

  /** The device ids an epoch's bundle wraps its key to (as stored on the server). */
  async wrappedDevices(epoch: number): Promise<string[]> {
    const res = await this.api.call("GET", `/api/conversations/${this.conversationId}/epochs`, { cookie: this.me.cookie });
    const body = (await res.json()) as { epochs: { epoch: number; bundle: string }[] };
    const e = body.epochs.find((x) => x.epoch === epoch);
    if (!e) throw new Error(`no epoch ${epoch}`);
    return decodeBundle(fromBase64url(e.bundle)).deviceWraps.map((w) => w.deviceId);
  }

  async latestEpoch(): Promise<number> {
    const res = await this.api.call("GET", `/api/conversations/${this.conversationId}/epochs`, { cookie: this.me.cookie });
    const body = (await res.json()) as { epochs: { epoch: number }[] };
    return Math.max(...body.epochs.map((e) => e.epoch));
  }
}

/** Waits until the open chat shows `count` messages and returns their texts. */
export async function waitForCount(page: Page, count: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = await page.getByTestId("message-text").allTextContents();
    if (texts.length >= count) return texts;
    if (Date.now() > deadline) throw new Error(`expected ${count} messages, saw ${texts.length}`);
    await page.waitForTimeout(250);
  }
}
