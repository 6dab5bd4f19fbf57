import { describe, expect, test } from "vitest";
import { typingText } from "../../../web/src/ui/typing-text.js";

describe("typingText", () => {
  test.each([
    [[], ""],
    [["alice"], "alice is typing…"],
    [["alice", "bob"], "alice and bob are typing…"],
    [["alice", "bob", "carol"], "3 people are typing…"],
    [["a", "b", "c", "d", "e"], "5 people are typing…"],
  ])("%j reads %j", (names, text) => {
    expect(typingText(names)).toBe(text);
  });
});
