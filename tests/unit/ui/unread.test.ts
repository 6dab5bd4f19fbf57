import { describe, expect, test } from "vitest";
import { ClientMessageId, DeviceId } from "../../../protocol/ids.js";
import type { MessageView, TimelineItem } from "../../../web/src/client/index.js";
import { unreadDividerKey } from "../../../web/src/ui/unread-divider.js";
import { unreadTitle } from "../../../web/src/ui/unread-badge.js";

const message = (key: string, seq: number | undefined, mine: boolean): MessageView => ({
  kind: "message",
  key,
  ref: { deviceId: DeviceId.fromBytes(new Uint8Array(16)), clientMessageId: ClientMessageId.fromBytes(new Uint8Array(16).fill(key.length)) },
  reactions: [],
  edited: false,
  deleted: false,
  ...(seq !== undefined ? { seq } : {}),
  mine,
  senderName: mine ? "me" : "alice",
  content: "text",
  text: key,
  sentAt: 0,
  status: seq === undefined ? "pending" : "sent",
  missingBefore: 0,
  chainBroken: false,
});

describe("the tab title", () => {
  test("counts unread messages, and is plain with none", () => {
    expect(unreadTitle(0)).toBe("Sealed");
    expect(unreadTitle(2)).toBe("(2) Sealed");
  });
});

describe("the New messages divider", () => {
  const items: TimelineItem[] = [message("a", 1, false), message("b", 2, true), message("c", 3, true), message("d", 4, false), message("e", 5, false), message("p", undefined, true)];

  test("goes above the first message of someone else past the read position", () => {
    expect(unreadDividerKey(items, 1)).toBe("d");
    expect(unreadDividerKey(items, 0)).toBe("a");
  });

  test("is absent when the chat opened with nothing unread", () => {
    expect(unreadDividerKey(items, undefined)).toBeUndefined();
    expect(unreadDividerKey(items, 5)).toBeUndefined();
  });
});
