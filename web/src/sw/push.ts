/**
 * Web Push in the service worker (issue 19; docs/decisions.md "Push notifications"). A push is parsed
 * with protocol/push.ts's schema, its message stored through the app's own receive path
 * (client/push/ingest.ts) over the same IndexedDB, and a notification made from what was stored: one per
 * chat (tag = conversation id), replaced as more arrive, none while a visible window has that chat open.
 * A click focuses (or opens) the app on the chat. The app badge shows the unread total.
 */
import { pushPayloadSchema, type PushPayload } from "../../../protocol/push.js";
import { ConversationId } from "../../../protocol/ids.js";
import { makeContext, type ClientContext } from "../client/context.js";
import { defaultCryptoEnv } from "../client/env.js";
import { ingestPush } from "../client/push/ingest.js";
import { readNotificationLocale } from "../client/push/notification-locale.js";
import { APP_TITLE, genericBody, notificationFor, type NotificationText } from "../client/push/notification-text.js";
import { getPushPrefs } from "../client/push/prefs.js";
import { SealedDb } from "../client/store/db.js";
import { Api } from "../client/transport/api.js";
import { LinkApi } from "../client/transport/link-api.js";
import { RecoveryApi } from "../client/transport/recovery-api.js";
import { conversationViews } from "../client/views/views.js";

declare const self: ServiceWorkerGlobalScope;

/** The tag of the notification for a push that could not be read at all (no chat to name). */
const UNKNOWN_TAG = "sealed-new-message";
/** What a notification carries for its click. */
interface NotificationData {
  readonly conversationId?: ConversationId;
}

let context: ClientContext | undefined;

/** The client's context over the same store as the tabs: no realtime socket, no sync loop. */
function ctx(): ClientContext {
  context ??= makeContext({ db: new SealedDb(), api: new Api(), linkApi: new LinkApi(), recoveryApi: new RecoveryApi(), env: defaultCryptoEnv(), origin: self.location.origin });
  return context;
}

function parsePush(data: PushMessageData | null): PushPayload | undefined {
  if (!data) return undefined;
  let json: unknown;
  try {
    json = data.json();
  } catch {
    return undefined;
  }
  const r = pushPayloadSchema.safeParse(json);
  return r.success ? r.data : undefined;
}

/** Whether a visible window of the app shows this chat now (it then shows the message itself). */
async function chatOnScreen(id: ConversationId): Promise<boolean> {
  const windows = await self.clients.matchAll({ type: "window" });
  return windows.some((w) => w.visibilityState === "visible" && new URL(w.url).hash === `#/c/${id}`);
}

/** Shows `n` as the chat's notification, replacing the one there (alerting again only when `alert`). */
async function show(tag: string, n: NotificationText, data: NotificationData, alert: boolean): Promise<void> {
  await self.registration.showNotification(n.title, { body: n.body, tag, data, renotify: alert, silent: !alert, icon: "/icons/icon-192.png" } as NotificationOptions);
}

/** The unread total across chats on the app's icon (where the platform has a badge). */
async function updateBadge(total: number): Promise<void> {
  const nav = self.navigator as WorkerNavigator & { setAppBadge?: (n?: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
  try {
    if (total > 0) await nav.setAppBadge?.(total);
    else await nav.clearAppBadge?.();
  } catch {
    // No badge on this platform: nothing to show it on.
  }
}

let queue: Promise<void> = Promise.resolve();

/**
 * Handles pushes one at a time, in arrival order: two pushes for one chat must not both read the old
 * notification and race to replace it.
 */
export function handlePush(data: PushMessageData | null): Promise<void> {
  const run = queue.then(() => onPush(data)).catch((e: unknown) => onPushFailed(e));
  queue = run;
  return run;
}

/** User Timing name of one push, from its handling start to the notification shown (bench/src/benchmarks/push.ts reads it). */
export const PUSH_MEASURE = "sealed:push-to-notification";

async function onPush(data: PushMessageData | null): Promise<void> {
  const started = performance.now();
  try {
    await handleOne(data);
  } finally {
    performance.measure(PUSH_MEASURE, { start: started, end: performance.now() });
  }
}

async function handleOne(data: PushMessageData | null): Promise<void> {
  const p = parsePush(data);
  const locale = await readNotificationLocale(self.caches);
  if (!p) {
    // Not a push this version understands: say something came, show nothing of it.
    await show(UNKNOWN_TAG, { title: APP_TITLE, body: genericBody(locale) }, {}, true);
    return;
  }
  const c = ctx();
  const { conversation, arrival } = await ingestPush(c, p);
  const prefs = await getPushPrefs(c.db).catch(() => undefined);
  const views = await conversationViews(c.db).catch(() => []);
  await updateBadge(views.reduce((sum, v) => sum + v.unread, 0));
  const tag = conversation?.id ?? UNKNOWN_TAG;
  const view = views.find((v) => v.id === conversation?.id);
  const existing = (await self.registration.getNotifications({ tag }))[0];
  const muted = conversation !== undefined && (prefs?.muted.includes(conversation.id) ?? false);
  if (conversation && (await chatOnScreen(conversation.id))) {
    existing?.close();
    return;
  }
  // A stored choice that cannot be read (changed from outside) shows the least, never the most.
  const privacy = prefs?.privacy ?? "none";
  // Muted chats stay silent, except for a message that mentions this account (notificationFor).
  // A blocked contact's chat is never notified (chats/chat-controls.ts: blocking is enforced on the device).
  const n = view?.blocked ? null : notificationFor(arrival, { muted, chatTitle: view?.title ?? APP_TITLE, unread: view?.unread ?? 0, privacy, locale });
  if (n) return show(tag, n, conversation ? { conversationId: conversation.id } : {}, true);
  // Nothing new to say. Chrome requires every push to show something (userVisibleOnly): the chat's
  // notification, if there is one, is shown again as it was, silently.
  if (existing) await show(tag, { title: existing.title, body: existing.body }, existing.data as NotificationData, false);
}

/** Something failed past parsing (the store, say): a notification with no text rather than none. */
async function onPushFailed(e: unknown): Promise<void> {
  console.warn("push not handled:", e);
  const locale = await readNotificationLocale(self.caches);
  await show(UNKNOWN_TAG, { title: APP_TITLE, body: genericBody(locale) }, {}, true).catch(() => undefined);
}

/** The page a click on a notification opens: its chat when its data names a well-formed one, else the app. */
function clickUrl(data: unknown): string {
  const raw = typeof data === "object" && data !== null ? (data as Partial<NotificationData>).conversationId : undefined;
  return new URL(ConversationId.is(raw) ? `/#/c/${raw}` : "/", self.location.origin).href;
}

/**
 * Opens the notification's chat (issue 19): in a window of the app if one is open (the focused one
 * first), else in a new window. The window is navigated first and focused after, each failure caught on
 * its own: the browser lets a service worker focus a window (and open one) only while the user's click
 * is being handled, and a refused focus must never keep the chat from opening. A navigation that fails
 * (a window this worker does not control) still gets the focus.
 */
export async function onNotificationClick(n: Notification): Promise<void> {
  n.close();
  const url = clickUrl(n.data);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const w = windows.find((x) => x.focused) ?? windows[0];
  if (!w) {
    await self.clients.openWindow(url);
    return;
  }
  // Always navigated: Chromium reports a window's URL as it was loaded, not after the app's hash route
  // changed, so comparing URLs would skip a needed navigation. To the chat already shown it is a
  // same-document fragment navigation, which reloads nothing.
  const target = (await w.navigate(url).catch((e: unknown) => console.warn("could not open the chat in the app's window:", e))) ?? w;
  await target.focus().catch((e: unknown) => console.warn("could not focus the app's window:", e));
}
