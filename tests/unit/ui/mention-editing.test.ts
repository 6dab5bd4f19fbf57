import { describe, expect, test } from "vitest";
import { AccountId } from "../../../protocol/index.js";
import { adjustMentions, insertMention, mentionQuery, suggestions, toSend, type DraftMention } from "../../../web/src/ui/mention-editing.js";
import { mentionParts } from "../../../web/src/ui/mention-parts.js";

const id = (n: number) => AccountId.fromBytes(new Uint8Array(32).fill(n));
const bob = { accountId: id(2), name: "bob" };
const bobby = { accountId: id(3), name: "bobby" };
const carol = { accountId: id(4), name: "carol" };
const members = [carol, bobby, bob];

describe("typing @ in the composer", () => {
  test.each([
    ["@", 1, { start: 0, query: "" }],
    ["hi @bo", 6, { start: 3, query: "bo" }],
    ["(@ca", 4, { start: 1, query: "ca" }],
    ["hi @bo there", 6, { start: 3, query: "bo" }],
    ["me@example", 10, undefined],
    ["hi @bo b", 8, undefined],
    ["no at here", 10, undefined],
  ] as const)("%j with the caret at %i", (text, caret, expected) => {
    expect(mentionQuery(text, caret)).toEqual(expected);
  });

  test("no query inside a recorded mention", () => {
    const m: DraftMention = { ...bob, start: 0, length: 4, text: "@bob" };
    expect(mentionQuery("@bob", 4, [m])).toBeUndefined();
  });

  test("suggestions: names starting with the query first, then containing it; any case", () => {
    expect(suggestions(members, "BO").map((m) => m.name)).toEqual(["bobby", "bob"]);
    expect(suggestions(members, "ob").map((m) => m.name)).toEqual(["bobby", "bob"]);
    expect(suggestions(members, "").map((m) => m.name)).toEqual(["carol", "bobby", "bob"]);
    expect(suggestions(members, "zed")).toEqual([]);
  });

  test("picking inserts '@Name ' and records the range; a later mention moves", () => {
    const first = insertMention("hi @bo", { start: 3, query: "bo" }, 6, bob, []);
    expect(first).toEqual({ text: "hi @bob ", caret: 8, mentions: [{ accountId: bob.accountId, start: 3, length: 4, text: "@bob" }] });
    const second = insertMention(`@c ${first.text}`, { start: 0, query: "c" }, 2, carol, adjustMentions(first.text, `@c ${first.text}`, first.mentions));
    expect(second.text).toBe("@carol  hi @bob ");
    expect(toSend(second.text, second.mentions)).toEqual([
      { accountId: carol.accountId, start: 0, length: 6 },
      { accountId: bob.accountId, start: 11, length: 4 },
    ]);
  });
});

describe("editing around mentions", () => {
  const text = "hi @bob and @carol!";
  const ms: DraftMention[] = [
    { accountId: bob.accountId, start: 3, length: 4, text: "@bob" },
    { accountId: carol.accountId, start: 12, length: 6, text: "@carol" },
  ];
  test.each([
    ["typing before moves both", "oh hi @bob and @carol!", [6, 15]],
    ["typing between moves the second", "hi @bob, and @carol!", [3, 13]],
    ["typing after keeps both", "hi @bob and @carol!!", [3, 12]],
    ["deleting a letter of one drops it", "hi @bo and @carol!", [11]],
    ["typing inside one drops it", "hi @bob and @caryol!", [3]],
    ["replacing all drops both", "bye", []],
  ] as const)("%s", (_name, after, starts) => {
    expect(adjustMentions(text, after, ms).map((m) => m.start)).toEqual(starts);
  });
});

describe("a mention in the bubble", () => {
  const view = (start: number, length: number, name: string, me = false) => ({ start, length, accountId: bob.accountId, name, me });
  test("shows '@' and this device's name for the account, the rest as text", () => {
    expect(mentionParts("hey @Bobby!", [view(4, 6, "bob", true)])).toEqual([
      { kind: "text", text: "hey " },
      { kind: "mention", text: "@bob", mention: view(4, 6, "bob", true) },
      { kind: "text", text: "!" },
    ]);
  });
  test("keeps the sender's text when this device has no name for the account, and ignores a range that does not fit", () => {
    expect(mentionParts("@x hi", [view(0, 2, "unknown"), view(1, 9, "bob")]).map((p) => p.text)).toEqual(["@x", " hi"]);
  });
});
