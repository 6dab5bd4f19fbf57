import { describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import { getAccount, putAccount } from "../../../web/src/client/store/db.js";
import { getProfileRow } from "../../../web/src/client/profiles/profile-store.js";
import { ingestPush } from "../../../web/src/client/push/ingest.js";
import { conversationView, groupViewOf, messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn } from "./helpers.js";

// Encrypted profiles (issue 21 item 1, docs/PROTOCOL.md "Profile"): a display name set on one device
// reaches a contact inside the chat (kind 9) and is accepted only if the blob the server serves is the
// one the newest message names.

async function sync(...cs: ChatClient[]): Promise<void> {
  for (const c of cs) {
    await c.sync.syncNow();
    await c.sync.settled();
    await c.profiles.refresh();
  }
}

async function world() {
  const server = new FakeServer();
  const alice = clientOn(server);
  await alice.signUp("alice");
  const bob = clientOn(server);
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  await alice.send(id, "hi");
  await sync(alice, bob);
  return { server, alice, bob, id };
}

const title = async (c: ChatClient, id: ConversationId) => (await conversationView(c.db, id))?.title;

describe("profiles", () => {
  test("a contact sees the display name in place of the username, and the change to a new one", async () => {
    const { alice, bob, id } = await world();
    expect(await title(bob, id)).toBe("alice");
    await alice.profiles.set("  Alice Liddell ");
    await sync(alice, bob);
    expect(await title(bob, id)).toBe("Alice Liddell");
    const view = await conversationView(bob.db, id);
    expect(view?.kind === "direct" ? view.peer.username : undefined).toBe("alice");
    // The profile message is not a bubble: the timeline still holds only the text.
    expect((await messageViews(bob.db, id)).map((m) => m.text)).toEqual(["hi"]);
    expect((await alice.profiles.mine()).name).toBe("Alice Liddell");
    await alice.profiles.set("Alice L.");
    await sync(alice, bob);
    expect(await title(bob, id)).toBe("Alice L.");
  });

  test("refuses an older blob served by the server after a change, keeping the last accepted name", async () => {
    const { server, alice, bob, id } = await world();
    await alice.profiles.set("Alice One");
    await sync(alice, bob);
    const old = server.profiles.get(alice.session!.accountId)!;
    await alice.profiles.set("Alice Two");
    // The server keeps serving the first blob: it opens with the same key, but is not the one named.
    server.profiles.set(alice.session!.accountId, old);
    await sync(alice, bob);
    expect(await title(bob, id)).toBe("Alice One");
    const row = await getProfileRow(bob.db, alice.session!.accountId);
    expect(row?.problem).toMatch(/digest/);
  });

  test("refuses a blob that is not the account's, even when the server swaps them", async () => {
    const { server, alice, bob, id } = await world();
    await bob.profiles.set("Bob");
    await alice.profiles.set("Alice");
    // The server answers for alice with bob's blob.
    server.profiles.set(alice.session!.accountId, server.profiles.get(bob.session!.accountId)!);
    await sync(alice, bob);
    expect(await title(bob, id)).toBe("alice");
  });

  test("a profile set before a chat existed goes into it with the first message", async () => {
    const server = new FakeServer();
    const alice = clientOn(server);
    await alice.signUp("alice");
    await alice.profiles.set("Alice");
    const carol = clientOn(server);
    await carol.signUp("carol");
    const id = await carol.startChat("alice");
    await carol.send(id, "hello");
    await sync(carol, alice);
    expect(await title(carol, id)).toBe("alice");
    await alice.send(id, "hi carol");
    await sync(alice, carol);
    expect(await title(carol, id)).toBe("Alice");
    expect((await messageViews(carol.db, id)).map((m) => m.text)).toEqual(["hello", "hi carol"]);
  });

  test("group members see each other's display names in the member list", async () => {
    const server = new FakeServer();
    const [alice, bob] = [clientOn(server), clientOn(server)];
    await alice.signUp("alice");
    await bob.signUp("bob");
    await bob.profiles.set("Bobby");
    const id = await alice.createGroup("G", ["bob"]);
    await sync(bob);
    await bob.send(id, "hey");
    await sync(bob, alice);
    const members = (await groupViewOf(alice.db, id))?.members.map((m) => m.displayName ?? m.username);
    expect(members).toContain("Bobby");
  });

  test("a notification names the sender by the display name once it was accepted", async () => {
    const { server, alice, bob, id } = await world();
    await alice.profiles.set("Alice Liddell");
    await sync(alice, bob);
    await alice.send(id, "ping");
    await sync(alice);
    const m = server.conversations.get(id)!.messages.at(-1)!;
    const arrival = (await ingestPush(bob.ctx, { v: 1, type: "message", conversationId: id, seq: m.seq, envelope: m.envelope, receivedAt: m.receivedAt })).arrival;
    expect(arrival).toEqual({ kind: "message", sender: "Alice Liddell", text: "ping" });
  });

  test("a profile is sealed again under the new history-key generation, and contacts follow", async () => {
    const { server, alice, bob, id } = await world();
    await alice.profiles.set("Alice Liddell");
    await sync(alice, bob);
    // The account history key moved to generation 1 (as after a device removal).
    const account = (await getAccount(alice.db))!;
    await putAccount(alice.db, { ...account, historyGeneration: 1 });
    await alice.profiles.refresh();
    expect((await getProfileRow(alice.db, account.accountId))?.generation).toBe(1);
    expect(Buffer.from(server.profiles.get(account.accountId)!, "base64url")[4]).toBe(1);
    await sync(alice, bob);
    const row = await getProfileRow(bob.db, account.accountId);
    expect({ generation: row?.generation, name: row?.name, opened: row?.openedDigest !== undefined && Buffer.compare(row.openedDigest, row.digest) === 0 }).toEqual({ generation: 1, name: "Alice Liddell", opened: true });
    expect(await title(bob, id)).toBe("Alice Liddell");
  });

  test("refuses an empty or overlong display name with a readable error code", async () => {
    const { alice } = await world();
    await expect(alice.profiles.set("   ")).rejects.toMatchObject({ code: "invalid_display_name" });
    await expect(alice.profiles.set("x".repeat(65))).rejects.toMatchObject({ code: "invalid_display_name" });
  });
});
