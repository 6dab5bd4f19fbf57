// Web Push in real Chromium (issue 19). PLATFORM.md "Web Push": a push reaches the service worker through
// the DevTools protocol (ServiceWorker.deliverPushMessage), subscription or not, and
// registration.getNotifications() lists what it showed. The payload is the plaintext the server would
// encrypt per RFC 8291 (protocol/push.ts), read here from the server's own message list.
import type { CDPSession, Page } from "playwright-core";
import { decodeEnvelope } from "../../protocol/index.js";

export interface ShownNotification {
  readonly title: string;
  readonly body: string;
  readonly tag: string;
  readonly data: unknown;
}

/**
 * A page of Bob's origin that is not the app: /api/me is never answered from the service worker's cache,
 * so this page runs no client (no socket, no sync) and only reads the service worker's notifications and
 * the server's message list with Bob's session cookie.
 */
export async function observerPage(page: Page, baseURL: string): Promise<void> {
  await page.goto(`${baseURL}/api/me`);
}

/** Delivers push payloads to the service worker of `baseURL` in `page`'s context. */
export class PushLine {
  private constructor(
    private readonly cdp: CDPSession,
    private readonly origin: string,
    private readonly registrationId: string,
  ) {}

  static async open(page: Page, baseURL: string): Promise<PushLine> {
    const cdp = await page.context().newCDPSession(page);
    const scope = `${new URL(baseURL).origin}/`;
    const found = new Promise<string>((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
        const r = e.registrations.find((x) => x.scopeURL === scope && !x.isDeleted);
        if (r) resolve(r.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    return new PushLine(cdp, new URL(baseURL).origin, await found);
  }

  async deliver(payload: unknown): Promise<void> {
    await this.cdp.send("ServiceWorker.deliverPushMessage", { origin: this.origin, registrationId: this.registrationId, data: typeof payload === "string" ? payload : JSON.stringify(payload) });
  }
}

/** The notifications the service worker shows now (optionally of one tag). */
export function notifications(page: Page, tag?: string): Promise<ShownNotification[]> {
  return page.evaluate(async (t) => {
    const reg = await navigator.serviceWorker.getRegistration("/");
    const list = (await reg?.getNotifications(t === undefined ? undefined : { tag: t })) ?? [];
    return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
  }, tag);
}

export async function closeAllNotifications(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration("/");
    for (const n of (await reg?.getNotifications()) ?? []) n.close();
  });
}

/** Waits until a notification of `tag` passes `ok`; returns it (generous: the machine is shared). */
export async function waitForNotification(page: Page, tag: string, ok: (n: ShownNotification) => boolean, timeoutMs = 45_000): Promise<ShownNotification> {
  const deadline = Date.now() + timeoutMs;
  let seen: ShownNotification[] = [];
  for (;;) {
    seen = await notifications(page, tag);
    const hit = seen.find(ok);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no matching notification for ${tag}; shown: ${JSON.stringify(await notifications(page))}`);
    await page.waitForTimeout(200);
  }
}

export interface StoredMessage {
  readonly seq: number;
  readonly envelope: string;
  readonly receivedAt: number;
}

/**
 * The conversation's stored messages as the server lists them to the person of `page` (their session
 * cookie, sent from Node: API responses forbid the page itself to fetch).
 */
export async function serverMessages(page: Page, conversationId: string): Promise<StoredMessage[]> {
  const origin = new URL(page.url()).origin;
  const cookie = (await page.context().cookies(origin)).map((c) => `${c.name}=${c.value}`).join("; ");
  const res = await fetch(`${origin}/api/conversations/${conversationId}/messages?after=0&limit=200`, { headers: { cookie, accept: "application/json" } });
  if (!res.ok) throw new Error(`listing messages: HTTP ${res.status}`);
  return ((await res.json()) as { messages: StoredMessage[] }).messages;
}

/** The account that sealed a stored envelope (its header is not encrypted, only signed). */
export function senderOf(m: StoredMessage): string {
  return decodeEnvelope(new Uint8Array(Buffer.from(m.envelope, "base64url"))).header.senderAccountId;
}

/**
 * Waits until the server holds a message after seq `after` (from `sender` only, when given: Bob's own
 * read marks land in the same list); returns the newest.
 */
export async function newestAfter(page: Page, conversationId: string, after: number, sender?: string, timeoutMs = 45_000): Promise<StoredMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await serverMessages(page, conversationId)).filter((m) => sender === undefined || senderOf(m) === sender);
    const last = list.at(-1);
    if (last && last.seq > after) return last;
    if (Date.now() > deadline) throw new Error(`no message after seq ${after}`);
    await page.waitForTimeout(200);
  }
}

/** The push payload for a stored message (protocol/push.ts pushPayloadSchema, type "message"). */
export function messagePayload(conversationId: string, m: StoredMessage): unknown {
  return { v: 1, type: "message", conversationId, seq: m.seq, envelope: m.envelope, receivedAt: m.receivedAt };
}

/** The same envelope with one byte flipped in the middle (inside the signed ciphertext). */
export function tampered(envelope: string): string {
  const bytes = Buffer.from(envelope, "base64url");
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes.toString("base64url");
}
