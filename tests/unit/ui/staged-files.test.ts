// The files staged in each chat (ui/staged-files.ts): kept per chat, removed one by one, taken all at once by
// Send (so a second Send finds none), and never carried from one chat to another.
import { afterEach, describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import { clearStagedFiles, stageFiles, stagedFiles, takeStagedFiles, unstageFile } from "../../../web/src/ui/staged-files.js";

const a = "a".repeat(22) as ConversationId;
const b = "b".repeat(22) as ConversationId;
const file = (name: string) => new File([name], name, { type: "text/plain" });
const names = (id: ConversationId) => stagedFiles(id).map((s) => s.file.name);

afterEach(() => clearStagedFiles());

describe("staged files", () => {
  test("each chat keeps its own files, in the order staged, each with its own key", () => {
    stageFiles(a, [file("1.txt"), file("2.txt")]);
    stageFiles(b, [file("other.txt")]);
    stageFiles(a, [file("3.txt")]);
    expect(names(a)).toEqual(["1.txt", "2.txt", "3.txt"]);
    expect(names(b)).toEqual(["other.txt"]);
    expect(new Set(stagedFiles(a).map((s) => s.key)).size).toBe(3);
  });

  test("remove takes one file out by its key; unknown keys change nothing", () => {
    const [first, second] = stageFiles(a, [file("1.txt"), file("2.txt")]);
    expect(unstageFile(a, first!.key).map((s) => s.file.name)).toEqual(["2.txt"]);
    expect(unstageFile(a, "nope").map((s) => s.file.name)).toEqual(["2.txt"]);
    expect(unstageFile(a, second!.key)).toEqual([]);
    expect(stagedFiles(a)).toEqual([]);
  });

  test("Send takes every file of the chat at once: a second take finds none, other chats keep theirs", () => {
    stageFiles(a, [file("1.txt"), file("2.txt")]);
    stageFiles(b, [file("other.txt")]);
    expect(takeStagedFiles(a).map((s) => s.file.name)).toEqual(["1.txt", "2.txt"]);
    expect(takeStagedFiles(a)).toEqual([]);
    expect(names(b)).toEqual(["other.txt"]);
  });
});
