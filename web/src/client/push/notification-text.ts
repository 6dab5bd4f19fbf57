import type { NotificationLocale } from "./notification-locale.js";
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

/** The sentences of a notification, per language (notification-locale.ts says why not lit-localize). */
interface Words {
  readonly generic: string;
  readonly many: (n: number) => string;
  readonly reactedToYours: (sender: string) => string;
  readonly mentionedYou: (sender: string) => string;
  readonly manyMentioned: (many: string, sender: string) => string;
  readonly manyLatest: (many: string, sender: string) => string;
  readonly newFrom: (sender: string) => string;
  readonly reactedTo: (sender: string, emoji: string, target: string) => string;
  readonly mentionedYouQuote: (sender: string, text: string) => string;
}

const WORDS: Record<NotificationLocale, Words> = {
  en: {
    generic: GENERIC_BODY,
    many: (n) => `${n} new messages`,
    reactedToYours: (s) => `${s} reacted to your message`,
    mentionedYou: (s) => `${s} mentioned you`,
    manyMentioned: (m, s) => `${m}, ${s} mentioned you`,
    manyLatest: (m, s) => `${m}, the latest from ${s}`,
    newFrom: (s) => `New message from ${s}`,
    reactedTo: (s, e, t) => `${s} reacted ${e} to: ${t}`,
    mentionedYouQuote: (s, t) => `${s} mentioned you: ${t}`,
  },
  de: {
    generic: "Neue Nachricht",
    many: (n) => `${new Intl.NumberFormat("de").format(n)} neue Nachrichten`,
    reactedToYours: (s) => `${s} hat auf deine Nachricht reagiert`,
    mentionedYou: (s) => `${s} hat dich erwähnt`,
    manyMentioned: (m, s) => `${m}, ${s} hat dich erwähnt`,
    manyLatest: (m, s) => `${m}, die neueste von ${s}`,
    newFrom: (s) => `Neue Nachricht von ${s}`,
    reactedTo: (s, e, t) => `${s} hat mit ${e} reagiert auf: ${t}`,
    mentionedYouQuote: (s, t) => `${s} hat dich erwähnt: ${t}`,
  },
};

/** The body of a notification that says nothing of what arrived, in the reader's language. */
export function genericBody(locale: NotificationLocale = "en"): string {
  return WORDS[locale].generic;
}

function cut(s: string, max = MAX_QUOTE_CHARS): string {
  const chars = [...s.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * The notification for a chat after `a` arrived (docs/decisions.md "Push notifications"), or null when
 * nothing new is to be shown. `unread` is the chat's unread count after storing it (views/unread.ts):
 * above one, the notification says how many ("3 new messages"), as it replaces the chat's earlier one.
 */
export function notificationText(a: Arrival, o: { readonly chatTitle: string; readonly unread: number; readonly privacy: NotificationPrivacy; readonly locale?: NotificationLocale }): NotificationText | null {
  if (a.kind === "nothing") return null;
  const w = WORDS[o.locale ?? "en"];
  const many = o.unread > 1 ? w.many(o.unread) : undefined;
  if (o.privacy === "none" || a.kind === "unreadable") {
    return { title: o.privacy === "none" ? APP_TITLE : o.chatTitle, body: many ?? w.generic };
  }
  if (o.privacy === "sender") {
    if (a.kind === "reaction") return { title: o.chatTitle, body: w.reactedToYours(a.sender) };
    if (a.kind === "mention") return { title: o.chatTitle, body: many ? w.manyMentioned(many, a.sender) : w.mentionedYou(a.sender) };
    return { title: o.chatTitle, body: many ? w.manyLatest(many, a.sender) : w.newFrom(a.sender) };
  }
  const line = a.kind === "reaction" ? w.reactedTo(a.sender, a.emoji, cut(a.target, 60)) : a.kind === "mention" ? w.mentionedYouQuote(a.sender, cut(a.text)) : `${a.sender}: ${cut(a.text)}`;
  return { title: o.chatTitle, body: many ? `${many}\n${line}` : line };
}

/**
 * The notification for a push in a chat that may be muted: none for a muted chat, except for a message
 * that mentions this account (docs/decisions.md "Mentions"), which shows as notificationText says.
 */
export function notificationFor(a: Arrival, o: { readonly muted: boolean; readonly chatTitle: string; readonly unread: number; readonly privacy: NotificationPrivacy; readonly locale?: NotificationLocale }): NotificationText | null {
  if (o.muted && a.kind !== "mention") return null;
  return notificationText(a, o);
}
