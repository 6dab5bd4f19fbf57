import type { ConversationView } from "../client/index.js";

const APP_NAME = "Sealed";

/** The tab title for `total` unread messages: "(3) Sealed", or plain "Sealed" with none. */
export function unreadTitle(total: number): string {
  return total > 0 ? `(${total}) ${APP_NAME}` : APP_NAME;
}

/** The Badging API where the browser has it (an installed PWA shows the count on its icon). */
interface Badging {
  setAppBadge?: (contents?: number) => Promise<void>;
  clearAppBadge?: () => Promise<void>;
}

let shown: number | undefined;

/**
 * Shows the total unread count of `conversations` in the tab title and on the app icon. Only changes
 * are written (the list re-renders often); the badge is feature-detected and best effort.
 */
export function showUnread(conversations: readonly ConversationView[]): void {
  const total = conversations.reduce((n, c) => n + c.unread, 0);
  if (total === shown) return;
  shown = total;
  document.title = unreadTitle(total);
  const nav: Badging = navigator;
  const done = total > 0 ? nav.setAppBadge?.(total) : nav.clearAppBadge?.();
  done?.catch((e: unknown) => console.warn("could not set the app badge:", e));
}

/** Signed out or wiped: back to the plain title and no badge. */
export function clearUnread(): void {
  shown = undefined;
  showUnread([]);
}
