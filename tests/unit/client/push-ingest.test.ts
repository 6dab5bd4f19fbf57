import { describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import type { PushPayload } from "../../../protocol/push.js";
import { ingestPush } from "../../../web/src/client/push/ingest.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, chatBetween, refOf } from "./helpers.js";

/** The push the server would send for the newest stored message of `id` (protocol/push.ts). */
function pushOfNewest(server: FakeServer, id: ConversationId, tamper = false): PushPayload {
  const m = server.conversations.get(id)!.messages.at(-1)!;
  let envelope = m.envelope;
  if (tamper) {
    const bytes = Buffer.from(envelope, "base64url");
    bytes[bytes.length >> 1]! ^= 1;
    envelope = bytes.toString("base64url");
  }
  return { v: 1, type: "message", conversationId: id, seq: m.seq, envelope, receivedAt: m.receivedAt };
}

describe("a push ingested the way the service worker does (client/push/ingest.ts)", () => {
  test("each kind says what the notification may show, from what the app's checks stored", async () => {
    const server = new FakeServer();
    const { alice, bob, id } = await chatBetween(server);
    const post = async () => {
      await alice.sync.syncNow();
      await alice.sync.settled();
    };

    const hi = await alice.send(id, "hi");
    await post();
    expect(await ingestPush(bob.ctx, pushOfNewest(server, id))).toMatchObject({ conversation: { id }, arrival: { kind: "message", sender: "alice", text: "hi" } });
    // Stored for the app too: the same row the app shows.
    expect((await messageViews(bob.db, id)).map((m) => m.text)).toEqual(["hi"]);

    const mine = await bob.send(id, "mine");
    await bob.sync.syncNow();
    await bob.sync.settled();
    // This account's own message (from another of its devices) alerts nobody.
    expect((await ingestPush(bob.ctx, pushOfNewest(server, id))).arrival).toEqual({ kind: "nothing" });
    await alice.sync.syncNow();

    await alice.react(id, refOf(mine), "👍");
    await post();
    expect((await ingestPush(bob.ctx, pushOfNewest(server, id))).arrival).toEqual({ kind: "reaction", sender: "alice", emoji: "👍", target: "mine" });

    await alice.react(id, refOf(hi), "🎉");
    await post();
    expect((await ingestPush(bob.ctx, pushOfNewest(server, id))).arrival).toEqual({ kind: "nothing" });

    await alice.edit(id, refOf(hi), "hi, edited");
    await post();
    expect((await ingestPush(bob.ctx, pushOfNewest(server, id))).arrival).toEqual({ kind: "nothing" });

    await alice.send(id, "secret words");
    await post();
    const tampered = await ingestPush(bob.ctx, pushOfNewest(server, id, true));
    expect(tampered.arrival).toEqual({ kind: "unreadable" });
    expect((await messageViews(bob.db, id)).map((m) => m.text)).not.toContain("secret words");

    await alice.send(id, "by hint");
    await post();
    const last = server.conversations.get(id)!.messages.at(-1)!;
    expect((await ingestPush(bob.ctx, { v: 1, type: "hint", conversationId: id, seq: last.seq })).arrival).toEqual({ kind: "message", sender: "alice", text: "by hint" });
  });

  test("a push for a conversation that is not this account's shows no text", async () => {
    const server = new FakeServer();
    const { bob } = await chatBetween(server);
    const stranger = "AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
    const r = await ingestPush(bob.ctx, { v: 1, type: "hint", conversationId: stranger, seq: 1 });
    expect(r).toEqual({ conversation: undefined, arrival: { kind: "unreadable" } });
  });
});
