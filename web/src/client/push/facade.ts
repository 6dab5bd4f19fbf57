import { fromBase64url, type ConversationId } from "../../../../protocol/index.js";
import { pushSubscriptionRequest } from "../../../../protocol/push.js";
import type { ClientContext } from "../context.js";
import { isApiError } from "../transport/api.js";
import { PushApi } from "../transport/push-api.js";
import { getPushPrefs, setMutedLocally, setPrivacy, updatePushPrefs, type NotificationPrivacy } from "./prefs.js";
import { PushError } from "./push-error.js";

/**
 * PushManager.subscribe() can hang for minutes when the push service is unreachable (PLATFORM.md
 * "Web Push"): give up after this long.
 */
export const SUBSCRIBE_TIMEOUT_MS = 20_000;

/** What Settings shows about notifications on this device. */
export interface PushStatus {
  /** Service worker, Push API and Notification all exist here. */
  readonly supported: boolean;
  readonly permission: NotificationPermission | "unsupported";
  /** This device holds a push subscription it registered with the server. */
  readonly on: boolean;
  readonly privacy: NotificationPrivacy;
}

function supported(): boolean {
  return typeof navigator !== "undefined" && "serviceWorker" in navigator && typeof PushManager === "function" && typeof Notification === "function";
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new PushError("timeout", `no answer from the push service within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}

async function registration(): Promise<ServiceWorkerRegistration> {
  if (!supported()) throw new PushError("unsupported", "no service worker or Push API");
  const reg = await navigator.serviceWorker.getRegistration("/");
  if (!reg) throw new PushError("unsupported", "the service worker is not registered (development build?)");
  return reg;
}

/**
 * `client.push`: Web Push on this device (issue 19). Opt-in only: nothing here runs until the user turns
 * notifications on in Settings. The subscription is per device; the mute list per account (the server
 * holds it, so it learns which chats are muted: docs/THREAT-MODEL.md "Push").
 */
export class PushFacade extends EventTarget {
  /** Counts this device's mute changes; `muteWrites` holds the count at each chat's latest one. */
  private muteWriteCount = 0;
  private readonly muteWrites = new Map<ConversationId, number>();
  /** Chats whose mute change is on its way to the server (how many). */
  private readonly mutesInFlight = new Map<ConversationId, number>();

  constructor(
    private readonly ctx: ClientContext,
    private readonly api: PushApi = new PushApi(),
  ) {
    super();
  }

  private changed(): void {
    this.dispatchEvent(new Event("change"));
  }

  async status(): Promise<PushStatus> {
    const prefs = await getPushPrefs(this.ctx.db);
    if (!supported()) return { supported: false, permission: "unsupported", on: false, privacy: prefs.privacy };
    const reg = await navigator.serviceWorker.getRegistration("/");
    const sub = await reg?.pushManager.getSubscription().catch(() => null);
    const on = Notification.permission === "granted" && !!sub && sub.endpoint === prefs.endpoint;
    return { supported: true, permission: Notification.permission, on, privacy: prefs.privacy };
  }

  /**
   * Asks for the notification permission, subscribes with the server's VAPID key (RFC 8292) and
   * registers the subscription with the server. Throws PushError (or the server's ApiError).
   */
  async turnOn(): Promise<void> {
    const reg = await registration();
    const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
    if (permission !== "granted") throw new PushError("denied", `notification permission is ${permission}`);
    const { publicKey } = await this.api.vapidKey();
    const key = fromBase64url(publicKey);
    let sub: PushSubscription;
    try {
      const existing = await reg.pushManager.getSubscription();
      // A subscription made with another key (the server's VAPID key changed) cannot be reused.
      const same = existing?.options.applicationServerKey && sameBytes(new Uint8Array(existing.options.applicationServerKey), key);
      if (existing && !same) await existing.unsubscribe();
      sub = same && existing ? existing : await within(reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key as Uint8Array<ArrayBuffer> }), SUBSCRIBE_TIMEOUT_MS);
    } catch (e) {
      if (e instanceof PushError) throw e;
      if (e instanceof DOMException && e.name === "NotAllowedError") throw new PushError("denied", e.message, { cause: e });
      throw new PushError("failed", e instanceof Error ? e.message : String(e), { cause: e });
    }
    // toJSON() also carries expirationTime, which the request does not take.
    const json = sub.toJSON();
    const body = pushSubscriptionRequest.safeParse({ endpoint: json.endpoint, keys: json.keys });
    if (!body.success) {
      await sub.unsubscribe().catch(() => undefined);
      throw new PushError("failed", "the browser's subscription is not one the server accepts");
    }
    await this.api.putSubscription({ endpoint: body.data.endpoint, keys: body.data.keys });
    await updatePushPrefs(this.ctx.db, (p) => ({ ...p, endpoint: body.data.endpoint }));
    await this.refreshMutes().catch(() => undefined);
    this.changed();
  }

  /** Unsubscribes this device and asks the server to forget the subscription. */
  async turnOff(): Promise<void> {
    await this.unsubscribeHere();
    try {
      await this.api.deleteSubscription();
    } catch (e) {
      // Gone already, or the session is: the server drops subscriptions of removed devices itself.
      if (!isApiError(e) || e.status >= 500 || e.status === 0) throw e;
    }
  }

  /**
   * Before this device's data is wiped: unsubscribes here (the push service then refuses the endpoint
   * and the server prunes it) and asks the server to forget it without waiting for the answer.
   */
  async turnOffQuietly(): Promise<void> {
    await this.unsubscribeHere().catch((e: unknown) => console.warn("could not unsubscribe from push:", e));
    this.api.deleteSubscription().catch(() => undefined);
  }

  private async unsubscribeHere(): Promise<void> {
    const reg = supported() ? await navigator.serviceWorker.getRegistration("/") : undefined;
    const sub = await reg?.pushManager.getSubscription().catch(() => null);
    await sub?.unsubscribe().catch(() => undefined);
    await updatePushPrefs(this.ctx.db, (p) => {
      const { endpoint: _, ...rest } = p;
      return rest;
    });
    this.changed();
  }

  async setPrivacy(privacy: NotificationPrivacy): Promise<void> {
    await setPrivacy(this.ctx.db, privacy);
    this.changed();
  }

  /** The chats muted on this account, as last set or fetched. */
  async muted(): Promise<ReadonlySet<ConversationId>> {
    return new Set((await getPushPrefs(this.ctx.db)).muted);
  }

  /** Mutes or unmutes a chat for every device of the account (the server then pushes none of it). */
  async setMuted(id: ConversationId, muted: boolean): Promise<void> {
    this.muteWrites.set(id, ++this.muteWriteCount);
    this.mutesInFlight.set(id, (this.mutesInFlight.get(id) ?? 0) + 1);
    try {
      await this.api.putMute(id, muted);
      await setMutedLocally(this.ctx.db, id, muted);
    } finally {
      const left = (this.mutesInFlight.get(id) ?? 1) - 1;
      if (left > 0) this.mutesInFlight.set(id, left);
      else this.mutesInFlight.delete(id);
    }
    this.changed();
  }

  /**
   * Fetches the account's mute list (another device may have changed it). A chat this device muted or
   * unmuted while the list was being fetched (or whose change was still on its way when it was asked for)
   * keeps its value here: the answer may predate that change.
   */
  async refreshMutes(): Promise<void> {
    const from = this.muteWriteCount;
    const pending = new Set(this.mutesInFlight.keys());
    const { muted } = await this.api.mutes();
    const changedHere = (id: ConversationId) => pending.has(id) || this.mutesInFlight.has(id) || (this.muteWrites.get(id) ?? 0) > from;
    await updatePushPrefs(this.ctx.db, (p) => {
      const kept = p.muted.filter(changedHere);
      return { ...p, muted: [...new Set([...muted.filter((id) => !changedHere(id)), ...kept])] };
    });
    this.changed();
  }

  /** Closes the notification of a chat the user just opened. */
  async dismiss(id: ConversationId): Promise<void> {
    if (!supported()) return;
    const reg = await navigator.serviceWorker.getRegistration("/");
    for (const n of (await reg?.getNotifications({ tag: id })) ?? []) n.close();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export type { NotificationPrivacy };
