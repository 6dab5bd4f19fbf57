import { describe, expect, test } from "vitest";
import { AccountId, ClientMessageId, ContentKind, ConversationId, DeviceId } from "../../../protocol/index.js";
import { judgeAction } from "../../../web/src/client/conversations/content-rules.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";
import { DELETED_TEXT, NEEDS_NEWER_VERSION, byTimelineOrder, foldMessages, type MessageView } from "../../../web/src/client/views/message-fold.js";

// The fold rules (docs/PROTOCOL.md "Applying reactions, edits and deletes"), table by table, on rows built
// by hand: what a chat shows for a given set of stored and pending rows, whatever device holds them.

const id = <T>(parse: { fromBytes(b: Uint8Array): T }, n: number, size: number) => parse.fromBytes(new Uint8Array(size).fill(n));
const conv = id(ConversationId, 9, 16);
const alice = { account: id(AccountId, 1, 32), device: id(DeviceId, 1, 16), laptop: id(DeviceId, 11, 16) };
const bob = { account: id(AccountId, 2, 32), device: id(DeviceId, 2, 16) };
const carol = { account: id(AccountId, 3, 32), device: id(DeviceId, 3, 16) };
const names = new Map([
  [alice.account, "alice"],
  [bob.account, "bob"],
  [carol.account, "carol"],
]);
let counter = 0;

type Who = { account: AccountId; device: DeviceId };
function row(who: Who, seq: number | undefined, fields: Partial<MessageRow> = {}, deviceId: DeviceId = who.device): MessageRow {
  const n = ++counter;
  return {
    conversationId: conv,
    clientMessageId: id(ClientMessageId, n % 250, 16),
    ...(seq !== undefined ? { seq } : {}),
    senderAccountId: who.account,
    senderDeviceId: deviceId,
    counter: n,
    text: "",
    sentAt: 1_000 + n,
    status: seq === undefined ? "pending" : "sent",
    ...fields,
  };
}
const refTo = (r: MessageRow) => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });
const text = (who: Who, seq: number | undefined, t: string) => row(who, seq, { text: t });
const react = (who: Who, seq: number | undefined, to: MessageRow, emoji: string | null) => row(who, seq, { kindNumber: ContentKind.reaction, ref: refTo(to), emoji });
const edit = (who: Who, seq: number | undefined, to: MessageRow, t: string, device?: DeviceId) => row(who, seq, { kindNumber: ContentKind.edit, ref: refTo(to), text: t }, device);
const del = (who: Who, seq: number | undefined, to: MessageRow) => row(who, seq, { kindNumber: ContentKind.delete, ref: refTo(to) });
const reply = (who: Who, seq: number | undefined, to: MessageRow, t: string) => row(who, seq, { kindNumber: ContentKind.reply, ref: refTo(to), text: t });

function fold(rows: MessageRow[], me: AccountId = bob.account): MessageView[] {
  return foldMessages([...rows].sort(byTimelineOrder), { me, nameOf: (a) => names.get(a) ?? "unknown" });
}
const brief = (v: MessageView) => ({ text: v.text, edited: v.edited, deleted: v.deleted, reactions: v.reactions.map((r) => `${r.emoji}${r.count}:${r.names.join(",")}${r.mine ? "*" : ""}`) });

describe("reactions", () => {
  test("count per emoji with who reacted; one per account, the last wins; null removes", () => {
    const m = text(alice, 1, "hi");
    const rows = [m, react(bob, 2, m, "👍"), react(carol, 3, m, "👍"), react(alice, 4, m, "❤️"), react(carol, 5, m, "😂"), react(alice, 6, m, null)];
    expect(fold(rows).map(brief)).toEqual([{ text: "hi", edited: false, deleted: false, reactions: ["👍1:You*", "😂1:carol"] }]);
    // Seen by alice: her own reaction removed, bob's named.
    expect(fold(rows, alice.account)[0]!.reactions.map((r) => [r.emoji, r.names, r.mine])).toEqual([
      ["👍", ["bob"], false],
      ["😂", ["carol"], false],
    ]);
  });

  test("the most chosen emoji comes first", () => {
    const m = text(alice, 1, "hi");
    const rows = [m, react(alice, 2, m, "🙏"), react(bob, 3, m, "👍"), react(carol, 4, m, "👍")];
    expect(fold(rows)[0]!.reactions.map((r) => `${r.emoji}${r.count}`)).toEqual(["👍2", "🙏1"]);
  });

  test("a pending reaction of this device applies after the stored ones, in counter order", () => {
    const m = text(alice, 1, "hi");
    const rows = [react(bob, undefined, m, "😮"), m, react(bob, 2, m, "👍"), react(bob, undefined, m, "😢")];
    expect(fold(rows)[0]!.reactions.map((r) => r.emoji)).toEqual(["😢"]);
  });

  test("reactions, edits, deletes and receipts are no bubbles of their own", () => {
    const m = text(alice, 1, "hi");
    const receipt = row(bob, 5, { kindNumber: ContentKind.receipt, ref: refTo(m), receipt: { mark: "read", position: 1 } });
    expect(fold([m, react(bob, 2, m, "👍"), edit(alice, 3, m, "hello"), del(alice, 4, m), receipt]).length).toBe(1);
  });
});

describe("edits", () => {
  test("the last edit by the author wins, from any of the author's devices", () => {
    const m = text(alice, 1, "first");
    const rows = [m, edit(alice, 2, m, "second"), edit(alice, 3, m, "third", alice.laptop)];
    expect(fold(rows).map(brief)).toEqual([{ text: "third", edited: true, deleted: false, reactions: [] }]);
  });

  test("a reply keeps its quote when edited, and the quote shows the original's last edit", () => {
    const m = text(alice, 1, "original");
    const r = reply(bob, 2, m, "answer");
    const v = fold([m, r, edit(alice, 3, m, "original, edited"), edit(bob, 4, r, "better answer")]);
    expect(v[1]).toMatchObject({ text: "better answer", edited: true, replyTo: { state: "shown", key: m.clientMessageId, senderName: "alice", mine: false, text: "original, edited" } });
  });
});

describe("delete for everyone", () => {
  test("shows a tombstone with no reactions; reactions and edits after it are ignored", () => {
    const m = text(alice, 1, "oops");
    const rows = [m, react(bob, 2, m, "👍"), del(alice, 3, m), react(carol, 4, m, "❤️"), edit(alice, 5, m, "again")];
    expect(fold(rows).map(brief)).toEqual([{ text: DELETED_TEXT, edited: false, deleted: true, reactions: [] }]);
    expect(fold(rows)[0]!.content).toBe("deleted");
  });

  test("a reply to a deleted message says so, and one to a message not held here says it is not available", () => {
    const m = text(alice, 1, "gone");
    const missing = text(carol, 50, "never stored here");
    const v = fold([m, reply(bob, 2, m, "what?"), del(alice, 3, m), reply(bob, 4, missing, "about that")]);
    expect(v.map((x) => x.replyTo)).toEqual([undefined, { state: "deleted", key: m.clientMessageId, senderName: "alice", mine: false }, { state: "unavailable", key: missing.clientMessageId }]);
  });
});

describe("what is refused (judgeAction), and never shown", () => {
  const m = text(alice, 5, "mine");
  const cases: [string, MessageRow, MessageRow | undefined, string | "apply" | "ignore"][] = [
    ["an edit by another account", edit(bob, 6, m, "forged"), m, "only the author edits or deletes a message"],
    ["a delete by another account", del(bob, 6, m), m, "only the author edits or deletes a message"],
    ["a reaction to a message not held here", react(bob, 6, m, "👍"), undefined, "target not found"],
    ["a reaction whose target has a larger seq", react(bob, 4, m, "👍"), m, "target comes after it"],
    ["a reaction whose target has the same seq", react(bob, 5, m, "👍"), m, "target comes after it"],
    ["a stored reaction to a pending message", react(bob, 6, text(bob, undefined, "p"), "👍"), undefined, "target not found"],
    ["a reaction to a reaction", react(bob, 7, react(carol, 6, m, "👍"), "👍"), react(carol, 6, m, "👍"), "target is not a message"],
    ["an edit of a message of a newer kind", edit(alice, 7, row(alice, 6, { kindNumber: 200 }), "x"), row(alice, 6, { kindNumber: 200 }), "only text can be edited"],
    ["a reaction from another account", react(bob, 6, m, "👍"), m, "apply"],
  ];
  test.each(cases)("%s", (_, action, target, expected) => {
    const t = target && action.ref ? { ...target, clientMessageId: action.ref.clientMessageId, senderDeviceId: action.ref.deviceId } : undefined;
    const verdict = judgeAction(action, t, false);
    expect(typeof verdict === "string" ? verdict : verdict.refused).toBe(expected);
  });

  test("a ref whose device is not the target's sender names no message", () => {
    const forged = { ...edit(alice, 6, m, "x"), ref: { deviceId: bob.device, clientMessageId: m.clientMessageId } };
    expect(judgeAction(forged, m, false)).toEqual({ refused: "target not found" });
  });

  test("a forged edit and a reaction with a later target change nothing in the fold", () => {
    const later = text(carol, 9, "later");
    const rows = [m, edit(bob, 6, m, "forged"), del(carol, 7, m), react(bob, 8, later, "👍"), later];
    expect(fold(rows).map(brief)).toEqual([
      { text: "mine", edited: false, deleted: false, reactions: [] },
      { text: "later", edited: false, deleted: false, reactions: [] },
    ]);
  });

  test("a message of a newer kind can still be deleted by its author", () => {
    const newer = row(alice, 1, { kindNumber: 200 });
    expect(fold([newer])[0]!.text).toBe(NEEDS_NEWER_VERSION);
    expect(fold([newer, del(alice, 2, newer)])[0]!.text).toBe(DELETED_TEXT);
  });
});
