import { afterEach, describe, expect, test, vi } from "vitest";
import { GroupRole, MembershipKind } from "../../../protocol/index.js";
import { putContact, putConversation, putGroup } from "../../../web/src/client/store/db.js";
import { systemLines } from "../../../web/src/client/views/system-lines.js";
import { makeAccount } from "../../support/account.js";
import { TestGroup } from "../../support/group.js";
import { freshDb } from "./helpers.js";

// Issue 15 item 1: a line's place follows the entry's position in the verified log, never the time its
// author claims (a backdated entry showed up before "created the group").
afterEach(() => vi.restoreAllMocks());

describe("system line order", () => {
  test("an entry claiming a time before the group's creation is shown after it, in log order", async () => {
    const db = freshDb();
    const [alice, bob, carol] = await Promise.all([makeAccount("alice_so", 1000), makeAccount("bob_so", 1000), makeAccount("carol_so", 1000)]);
    const group = new TestGroup();
    const clock = vi.spyOn(Date, "now");
    const entries: Uint8Array[] = [];
    const at = async (time: number, make: () => Promise<{ bytes: Uint8Array }>) => {
      clock.mockReturnValue(time);
      const e = await make();
      entries.push(e.bytes);
      await group.accept(e);
    };
    await at(5_000, () => group.createEntry(alice, [bob]));
    await at(1_000, () => group.entry(alice, { kind: MembershipKind.add, accountId: carol.accountId, role: GroupRole.admin }));
    await at(9_000, () => group.entry(alice, { kind: MembershipKind.remove, accountId: carol.accountId }));
    clock.mockRestore();
    await putConversation(db, { kind: "group", id: group.id, createdAt: 4_000, lastSeq: 0, updatedAt: 4_000, rejected: 0 });
    await putGroup(db, {
      conversationId: group.id,
      entries,
      hashes: entries.map(() => new Uint8Array(32)),
      head: { seq: entries.length - 1, hash: new Uint8Array(32) },
      members: [
        { accountId: alice.accountId, role: GroupRole.admin, addedAtSeq: 0 },
        { accountId: bob.accountId, role: GroupRole.member, addedAtSeq: 0 },
      ],
      historyForNewMembers: false,
    });
    for (const a of [alice, bob, carol]) await putContact(db, { accountId: a.accountId, username: a.username, log: [a.genesis], head: a.state.head, status: "verified", addedAt: 1 });
    const lines = await systemLines(db, group.id);
    expect(lines.map((l) => l.text)).toEqual(["alice_so created the group", "alice_so added carol_so as an admin", "alice_so removed carol_so"]);
    // Placed among messages no earlier than the entry before it.
    expect(lines.map((l) => l.at)).toEqual([5_000, 5_000, 9_000]);
  });
});
