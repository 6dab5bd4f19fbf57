import { describe, expect, test } from "vitest";
import { decodeEnvelope, fromBase64url } from "../../../protocol/index.js";
import { ChatClient } from "../../../web/src/client/client.js";
import type { FetchFn } from "../../../web/src/client/transport/api.js";
import { pushWorthy } from "../../../web/src/client/sync/outbox.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { getAccount } from "../../../web/src/client/store/db.js";
import { FakeServer, freshDb, transportsOver } from "./helpers.js";

/** What one posted message asked of the server: its client message id and its `notify` field, if any. */
interface Posted {
  readonly clientMessageId: string;
  readonly notify: unknown;
  readonly mentions: unknown;
}

/** A client over the fake server whose message posts are recorded as sent (the body the server parses). */
function recordingClient(server: FakeServer, posted: Posted[]): ChatClient {
  const inner = server.fetchFor();
  const fetch: FetchFn = (input, init) => {
    if ((init.method ?? "GET") === "POST" && /\/messages$/.test(new URL(input, server.origin).pathname) && typeof init.body === "string") {
      const body = JSON.parse(init.body) as { envelope: string; notify?: unknown; mentions?: unknown };
      posted.push({
        clientMessageId: decodeEnvelope(fromBase64url(body.envelope)).header.clientMessageId,
        notify: "notify" in body ? body.notify : "absent",
        mentions: "mentions" in body ? body.mentions : "absent",
      });
    }
    return inner(input, init);
  };
  return new ChatClient({ db: freshDb(), ...transportsOver(fetch), origin: server.origin, autoSync: false, realtime: null });
}

async function settle(...cs: ChatClient[]) {
  for (const c of cs) {
    await c.sync.syncNow();
    await c.sync.settled();
  }
}

describe("the notify flag on posted messages (issue 19)", () => {
  test("kinds that alert nobody are the edit, the delete and the receipt", () => {
    expect(pushWorthy({})).toBe(true); // text
    expect(pushWorthy({ kindNumber: 2 })).toBe(true); // reply
    expect(pushWorthy({ kindNumber: 3 })).toBe(true); // reaction
    expect(pushWorthy({ kindNumber: 4 })).toBe(false); // edit
    expect(pushWorthy({ kindNumber: 5 })).toBe(false); // delete
    expect(pushWorthy({ kindNumber: 6 })).toBe(false); // receipt
    expect(pushWorthy({ kindNumber: 7 })).toBe(true); // attachment
    expect(pushWorthy({ kindNumber: 200 })).toBe(true); // a kind newer than this version
  });

  test("text, reply and reaction omit notify; edit, delete and receipts post notify:false", async () => {
    const server = new FakeServer();
    const alicePosts: Posted[] = [];
    const bobPosts: Posted[] = [];
    const alice = recordingClient(server, alicePosts);
    const bob = recordingClient(server, bobPosts);
    await alice.signUp("alice");
    await bob.signUp("bob");
    const id = await alice.startChat("bob");

    const text = await alice.send(id, "hello");
    await settle(alice, bob);
    const [bobsCopy] = (await messageViews(bob.db, id)).filter((m) => m.text === "hello");
    expect(bobsCopy).toBeDefined();
    const to = { deviceId: text.senderDeviceId, clientMessageId: text.clientMessageId };
    const reply = await bob.reply(id, to, "hi back");
    const reaction = await bob.react(id, to, "👍");
    await settle(bob);
    // Bob's device stored Alice's message and opens the chat: a delivered and a read mark.
    await bob.receipts.open(id);
    await bob.receipts.flush();
    await settle(bob, alice);
    const edit = await alice.edit(id, to, "hello, edited");
    await settle(alice);
    const del = await alice.deleteForEveryone(id, to);
    await settle(alice);

    const notifyOf = (posts: Posted[], cmid: string) => posts.find((p) => p.clientMessageId === cmid)?.notify;
    expect(notifyOf(alicePosts, text.clientMessageId)).toBe("absent");
    expect(notifyOf(bobPosts, reply.clientMessageId)).toBe("absent");
    expect(notifyOf(bobPosts, reaction.clientMessageId)).toBe("absent");
    expect(notifyOf(alicePosts, edit.clientMessageId)).toBe(false);
    expect(notifyOf(alicePosts, del.clientMessageId)).toBe(false);
    // Every other post of Bob's was a receipt mark: each said notify:false.
    const marks = bobPosts.filter((p) => p.clientMessageId !== reply.clientMessageId && p.clientMessageId !== reaction.clientMessageId);
    expect(marks.length).toBeGreaterThanOrEqual(1);
    expect(marks.every((p) => p.notify === false)).toBe(true);
  });

  test("a text or reply that mentions someone posts mentions:true (pushed to muted members too); an edit with mentions stays notify:false", async () => {
    const server = new FakeServer();
    const alicePosts: Posted[] = [];
    const alice = recordingClient(server, alicePosts);
    const bob = recordingClient(server, []);
    await alice.signUp("alice");
    await bob.signUp("bob");
    const bobId = (await getAccount(bob.db))!.accountId;
    const id = await alice.startChat("bob");
    const plain = await alice.send(id, "no one named");
    const named = await alice.send(id, "@bob lunch?", [{ accountId: bobId, start: 0, length: 4 }]);
    await settle(alice);
    const to = { deviceId: named.senderDeviceId, clientMessageId: named.clientMessageId };
    const reply = await alice.reply(id, to, "@bob or dinner", [{ accountId: bobId, start: 0, length: 4 }]);
    const edit = await alice.edit(id, to, "@bob lunch at one?", [{ accountId: bobId, start: 0, length: 4 }]);
    await settle(alice);
    const of = (cmid: string) => alicePosts.find((p) => p.clientMessageId === cmid);
    expect(of(plain.clientMessageId)).toMatchObject({ notify: "absent", mentions: "absent" });
    expect(of(named.clientMessageId)).toMatchObject({ notify: "absent", mentions: true });
    expect(of(reply.clientMessageId)).toMatchObject({ notify: "absent", mentions: true });
    expect(of(edit.clientMessageId)).toMatchObject({ notify: false, mentions: "absent" });
  });
});
