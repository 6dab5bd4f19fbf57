/**
 * The language of notifications. The service worker cannot run lit-localize (no DOM, no page), so the
 * page writes the active locale to Cache Storage, which both can read, and notification-text.ts holds
 * the few sentences a notification uses in each language. Anything unreadable there means English.
 */
export const NOTIFICATION_LOCALES = ["en", "de"] as const;
export type NotificationLocale = (typeof NOTIFICATION_LOCALES)[number];

const CACHE = "sealed-locale";
const KEY = "/sealed-locale";

export function parseNotificationLocale(v: unknown): NotificationLocale {
  return typeof v === "string" && (NOTIFICATION_LOCALES as readonly string[]).includes(v) ? (v as NotificationLocale) : "en";
}

/** Called by the page whenever its language is applied. */
export async function writeNotificationLocale(locale: string, storage: CacheStorage = caches): Promise<void> {
  const cache = await storage.open(CACHE);
  await cache.put(KEY, new Response(parseNotificationLocale(locale), { headers: { "content-type": "text/plain" } }));
}

/** Read by the service worker for each push; at most a few bytes are read. */
export async function readNotificationLocale(storage: CacheStorage = caches): Promise<NotificationLocale> {
  try {
    const r = await (await storage.open(CACHE)).match(KEY);
    if (!r) return "en";
    return parseNotificationLocale((await r.text()).slice(0, 8));
  } catch {
    return "en";
  }
}
