import { Dexie, liveQuery } from "dexie";
import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { describe, expect, test } from "vitest";
import { GroupRole, MembershipKind, type AccountId } from "../../../protocol/index.js";
import { getGroup, putContact, putConversation, putGroup, putMessage } from "../../../web/src/client/store/db.js";
import { systemLines } from "../../../web/src/client/views/system-lines.js";
import { timelineViews } from "../../../web/src/client/views/views.js";
import { makeAccount } from "../../support/account.js";
import { accountLog, addDeviceEntry, genesisDevice, makeDevice } from "../../support/device-log.js";
import { TestGroup } from "../../support/group.js";
import { freshDb } from "./helpers.js";

// The timeline's system lines come from verified data on this device: the group's membership log and the
// members' device logs. Rows are written directly (the verification itself is tested in membership.ts's
// and logs.ts's callers); this checks what each kind of change says, and where it goes among messages.
describe("system lines", () => {
  test("membership changes, a member's new device and an identity warning, in time order among the messages", async () => {
    const db = freshDb();
    const [alice, bob, carol] = await Promise.all([makeAccount("alice_sl", 1000), makeAccount("bob_sl", 1000), makeAccount("carol_sl", 1000)]);
    const group = new TestGroup();
    const entries: Uint8Array[] = [];
    const at = (e: { bytes: Uint8Array }) => (entries.push(e.bytes), group.accept(e));
    await at(await group.createEntry(alice, [bob]));
    await at(await group.entry(alice, { kind: MembershipKind.add, accountId: carol.accountId, role: GroupRole.member }));
    await at(await group.entry(alice, { kind: MembershipKind.setRole, accountId: bob.accountId, role: GroupRole.admin }));
    await at(await group.entry(alice, { kind: MembershipKind.remove, accountId: carol.accountId }));

    // Bob links a second device after the group was created.
    const bobLog = accountLog(bob);
    const linked = await addDeviceEntry(bobLog, await makeDevice(), genesisDevice(bob), { createdAt: 5000 });
    const bobNext = await linked.next();
    const createdAt = 2000;
    await putConversation(db, { kind: "group", id: group.id, createdAt, lastSeq: 0, updatedAt: createdAt, rejected: 0 });
    await putGroup(db, {
      conversationId: group.id,
      entries,
      hashes: entries.map(() => new Uint8Array(32)),
      head: { seq: entries.length - 1, hash: new Uint8Array(32) },
      members: [
        { accountId: alice.accountId, role: GroupRole.admin, addedAtSeq: 0 },
        { accountId: bob.accountId, role: GroupRole.admin, addedAtSeq: 0 },
      ],
      historyForNewMembers: false,
    });
    const contact = (a: typeof bob, log: readonly Uint8Array[], head: { seq: number; hash: Uint8Array }) => ({ accountId: a.accountId, username: a.username, log: [...log], head, addedAt: 1 });
    await putContact(db, { ...contact(bob, bobNext.entries, bobNext.state.head), status: "verified" });
    await putContact(db, { ...contact(carol, [carol.genesis], carol.state.head), status: "identity_changed", problem: { code: "identity_mismatch", detail: "x", at: 9000 } });
    await putContact(db, { ...contact(alice, [alice.genesis], alice.state.head), status: "verified" });

    const texts = (await systemLines(db, group.id)).map((l) => l.text);
    // The membership entries were signed now; the link at 5000 comes first.
    expect(texts[0]).toBe("bob_sl linked a new device");
    expect(texts.slice(1)).toEqual([
      `alice_sl created the group`,
      `alice_sl added carol_sl`,
      `alice_sl made bob_sl an admin`,
      `alice_sl removed carol_sl`,
    ]);
    // Carol was removed: her identity warning is no longer this group's business.
    expect(texts.some((t) => t.includes("carol_sl's safety number"))).toBe(false);

    // A current member's identity warning is a line of its own.
    await putContact(db, { ...contact(alice, [alice.genesis], alice.state.head), status: "identity_changed", problem: { code: "log_conflict", detail: "x", at: 9000 } });
    const warned = await systemLines(db, group.id);
    expect(warned.filter((l) => l.warning).map((l) => l.text)).toEqual(["alice_sl's safety number changed. Verify it before you trust new messages."]);

    // A message written between the link (5000) and now sits after the link line.
    await putMessage(db, { conversationId: group.id, clientMessageId: "AAAAAAAAAAAAAAAAAAAAAA" as never, seq: 1, senderAccountId: bob.accountId as AccountId, senderDeviceId: bob.deviceId, counter: 1, text: "hi", sentAt: 6000, status: "sent" });
    const timeline = await timelineViews(db, group.id);
    const link = timeline.findIndex((t) => t.kind === "system" && t.text === "bob_sl linked a new device");
    const message = timeline.findIndex((t) => t.kind === "message");
    expect(link).toBeGreaterThanOrEqual(0);
    expect(message).toBeGreaterThan(link);
  });

  test("a 1:1 chat has none (its banner shows identity trouble)", async () => {
    const db = freshDb();
    const bob = await makeAccount("bob_sl2", 1000);
    await putConversation(db, { kind: "direct", peer: bob.accountId, id: "AAAAAAAAAAAAAAAAAAAAAA" as never, createdAt: 1, lastSeq: 0, updatedAt: 1, rejected: 0 });
    expect(await systemLines(db, "AAAAAAAAAAAAAAAAAAAAAA" as never)).toEqual([]);
  });

  test("the timeline's live query follows a change to the group's log (it reads the group after the messages)", async () => {
    const db = freshDb();
    const [alice, bob] = await Promise.all([makeAccount("alice_lq", 1000), makeAccount("bob_lq", 1000)]);
    const group = new TestGroup();
    const create = await group.createEntry(alice, [bob]);
    await group.accept(create);
    await putConversation(db, { kind: "group", id: group.id, createdAt: 1, lastSeq: 0, updatedAt: 1, rejected: 0 });
    await putGroup(db, {
      conversationId: group.id,
      entries: [create.bytes],
      hashes: [new Uint8Array(32)],
      head: { seq: 0, hash: new Uint8Array(32) },
      members: [
        { accountId: alice.accountId, role: GroupRole.admin, addedAtSeq: 0 },
        { accountId: bob.accountId, role: GroupRole.member, addedAtSeq: 0 },
      ],
      historyForNewMembers: false,
    });
    const seen: number[] = [];
    // Dexie runs a live query only when it has an indexedDB of its own (the browser's global; here the fake).
    const deps = { ...Dexie.dependencies };
    Object.assign(Dexie.dependencies, { indexedDB, IDBKeyRange });
    const sub = liveQuery(() => timelineViews(db, group.id)).subscribe({ next: (items) => seen.push(items.length) });
    try {
      await expect.poll(() => seen.at(-1)).toBe(1);
      const remove = await group.entry(alice, { kind: MembershipKind.remove, accountId: bob.accountId });
      const g = (await getGroup(db, group.id))!;
      await putGroup(db, { ...g, entries: [...g.entries, remove.bytes], hashes: [...g.hashes, new Uint8Array(32)], head: { seq: 1, hash: new Uint8Array(32) }, members: g.members.slice(0, 1) });
      // "alice_lq removed bob_lq" appears without anything else changing.
      await expect.poll(() => seen.at(-1)).toBe(2);
    } finally {
      sub.unsubscribe();
      Object.assign(Dexie.dependencies, deps);
    }
  });
});
