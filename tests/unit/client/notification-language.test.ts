// Notifications in the reader's language (issue 21; docs/decisions.md "Languages"): the service worker picks
// the table row for the locale the page stored, and anything it cannot read there means English.
import { describe, expect, test } from "vitest";
import { parseNotificationLocale } from "../../../web/src/client/push/notification-locale.js";
import { genericBody, notificationText, type Arrival } from "../../../web/src/client/push/notification-text.js";

const message: Arrival = { kind: "message", sender: "alice", text: "Bis um 8" };
const mention: Arrival = { kind: "mention", sender: "alice", text: "@anna kommst du?" };
const reaction: Arrival = { kind: "reaction", sender: "alice", emoji: "👍", target: "Essen?" };
const chat = { chatTitle: "Familie", unread: 1 };

describe("German notifications", () => {
  test.each([
    ["full", message, 1, "alice: Bis um 8"],
    ["full", message, 1200, "1.200 neue Nachrichten\nalice: Bis um 8"],
    ["full", mention, 1, "alice hat dich erwähnt: @anna kommst du?"],
    ["full", reaction, 0, "alice hat mit 👍 reagiert auf: Essen?"],
    ["sender", message, 1, "Neue Nachricht von alice"],
    ["sender", message, 2, "2 neue Nachrichten, die neueste von alice"],
    ["sender", mention, 3, "3 neue Nachrichten, alice hat dich erwähnt"],
    ["sender", reaction, 0, "alice hat auf deine Nachricht reagiert"],
    ["none", message, 1, "Neue Nachricht"],
    ["full", { kind: "unreadable" }, 1, "Neue Nachricht"],
  ] as const)("%s, %j, %i unread: %j", (privacy, arrival, unread, body) => {
    expect(notificationText(arrival, { ...chat, unread, privacy, locale: "de" })?.body).toBe(body);
  });

  test("English stays the default", () => {
    expect(notificationText(message, { ...chat, privacy: "sender" })?.body).toBe("New message from alice");
    expect(genericBody()).toBe("New message");
    expect(genericBody("de")).toBe("Neue Nachricht");
  });

  test.each([
    ["de", "de"],
    ["en", "en"],
    ["fr", "en"],
    ["DE", "en"],
    ["", "en"],
    [null, "en"],
    [42, "en"],
  ] as const)("a stored %j reads as %j", (stored, locale) => {
    expect(parseNotificationLocale(stored)).toBe(locale);
  });
});
