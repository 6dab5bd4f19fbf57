import type { NotificationPrivacy } from "./prefs-row.js";

/**
 * What one push brought, as the service worker found it in the store after running the app's checks
 * (push/ingest.ts). `message`: a text, reply or attachment of someone else (`text` is what the chat list
 * would show); `mention`: the same, naming this account (an @mention: it notifies even in a muted
 * chat, as Signal's "Mentions: notify" does); `reaction`: someone reacted to one of this account's messages; `unreadable`: the push
 * named a message this device could not open or could not find (tampered, not yet openable, or
 * fetching failed): never any text; `nothing`: nothing a person is alerted to (an edit, a delete, a
 * receipt, a reaction to someone else's message, this account's own message from another device).
 */
export type Arrival =
  | { readonly kind: "message"; readonly sender: string; readonly text: string }
  | { readonly kind: "mention"; readonly sender: string; readonly text: string }
  | { readonly kind: "reaction"; readonly sender: string; readonly emoji: string; readonly target: string }
  | { readonly kind: "unreadable" }
  | { readonly kind: "nothing" };

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

/** The title when the privacy choice hides the chat's name. */
export const APP_TITLE = "Sealed";
export const GENERIC_BODY = "New message";
/** Longest quoted text in a body; the rest is cut with an ellipsis (lock screens show a line or two). */
export const MAX_QUOTE_CHARS = 160;

function cut(s: string, max = MAX_QUOTE_CHARS): string {
  const chars = [...s.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * The notification for a chat after `a` arrived (docs/decisions.md "Push notifications"), or null when
 * nothing new is to be shown. `unread` is the chat's unread count after storing it (views/unread.ts):
 * above one, the notification says how many ("3 new messages"), as it replaces the chat's earlier one.
 */
export function notificationText(a: Arrival, o: { readonly chatTitle: string; readonly unread: number; readonly privacy: NotificationPrivacy }): NotificationText | null {
  if (a.kind === "nothing") return null;
  const many = o.unread > 1 ? `${o.unread} new messages` : undefined;
  if (o.privacy === "none" || a.kind === "unreadable") {
    return { title: o.privacy === "none" ? APP_TITLE : o.chatTitle, body: many ?? GENERIC_BODY };
  }
  if (o.privacy === "sender") {
    if (a.kind === "reaction") return { title: o.chatTitle, body: `${a.sender} reacted to your message` };
    if (a.kind === "mention") return { title: o.chatTitle, body: many ? `${many}, ${a.sender} mentioned you` : `${a.sender} mentioned you` };
    return { title: o.chatTitle, body: many ? `${many}, the latest from ${a.sender}` : `New message from ${a.sender}` };
  }
  const line = a.kind === "reaction" ? `${a.sender} reacted ${a.emoji} to: ${cut(a.target, 60)}` : a.kind === "mention" ? `${a.sender} mentioned you: ${cut(a.text)}` : `${a.sender}: ${cut(a.text)}`;
  return { title: o.chatTitle, body: many ? `${many}\n${line}` : line };
}

/**
 * The notification for a push in a chat that may be muted: none for a muted chat, except for a message
 * that mentions this account (docs/decisions.md "Mentions"), which shows as notificationText says.
 */
export function notificationFor(a: Arrival, o: { readonly muted: boolean; readonly chatTitle: string; readonly unread: number; readonly privacy: NotificationPrivacy }): NotificationText | null {
  if (o.muted && a.kind !== "mention") return null;
  return notificationText(a, o);
}
