import { describe, expect, test } from "vitest";
import { notificationText, type Arrival } from "../../../web/src/client/push/notification-text.js";

const msg: Arrival = { kind: "message", sender: "alice", text: "See you at 8" };
const reaction: Arrival = { kind: "reaction", sender: "alice", emoji: "👍", target: "Dinner?" };
const chat = { chatTitle: "Family", unread: 1 };

describe("what a notification says (docs/decisions.md 'Push notifications')", () => {
  test.each([
    ["full", msg, 1, { title: "Family", body: "alice: See you at 8" }],
    ["full", msg, 3, { title: "Family", body: "3 new messages\nalice: See you at 8" }],
    ["full", reaction, 0, { title: "Family", body: "alice reacted 👍 to: Dinner?" }],
    ["sender", msg, 1, { title: "Family", body: "New message from alice" }],
    ["sender", msg, 2, { title: "Family", body: "2 new messages, the latest from alice" }],
    ["sender", reaction, 0, { title: "Family", body: "alice reacted to your message" }],
    ["none", msg, 1, { title: "Sealed", body: "New message" }],
    ["none", msg, 4, { title: "Sealed", body: "4 new messages" }],
    ["none", reaction, 0, { title: "Sealed", body: "New message" }],
    ["full", { kind: "unreadable" }, 1, { title: "Family", body: "New message" }],
    ["none", { kind: "unreadable" }, 1, { title: "Sealed", body: "New message" }],
  ] as const)("%s, %j, %i unread", (privacy, arrival, unread, expected) => {
    expect(notificationText(arrival, { ...chat, unread, privacy })).toEqual(expected);
  });

  test("an edit, a delete, a receipt or one's own message says nothing new", () => {
    for (const privacy of ["full", "sender", "none"] as const) expect(notificationText({ kind: "nothing" }, { ...chat, privacy })).toBeNull();
  });

  test("a message that failed the checks never shows its text, whatever the privacy choice", () => {
    const n = notificationText({ kind: "unreadable" }, { ...chat, privacy: "full" });
    expect(JSON.stringify(n)).not.toContain("See you");
  });

  test("a long text is cut to one lock-screen line or two, whitespace folded", () => {
    const n = notificationText({ kind: "message", sender: "alice", text: `${"word ".repeat(100)}\n\nend` }, { ...chat, privacy: "full" });
    expect(n?.body.length).toBeLessThanOrEqual("alice: ".length + 160);
    expect(n?.body.endsWith("…")).toBe(true);
    expect(n?.body).not.toContain("\n");
  });
});
