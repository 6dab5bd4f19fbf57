import { afterEach, describe, expect, test, vi } from "vitest";
import { decodeEnvelope, fromBase64url, type ConversationId } from "../../../protocol/index.js";
import { ChatClient } from "../../../web/src/client/client.js";
import { EPOCH_MAX_AGE_MS } from "../../../web/src/client/conversations/epochs.js";
import { getEpoch } from "../../../web/src/client/store/db.js";
import { Api } from "../../../web/src/client/transport/api.js";
import { conversationView, messageViews } from "../../../web/src/client/views/views.js";
import { makeEnvelope } from "../../support/conversation.js";
import { genesisDevice } from "../../support/device-log.js";
import { clientOn, freshDb } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { makesDirectEpoch, registerNodeAccount, serverStores } from "./node-account.js";

// Issue 15 item 2, bounding the split world: an epoch is sent under for at most EPOCH_MAX_AGE_MS; then the
// sender fetches every member's log (and a group's membership log) and makes the next one. And epochs
// advance by exactly one: a bundle listed past a gap is refused.

afterEach(() => vi.restoreAllMocks());

function epochsPosted(server: LyingServer, id: ConversationId, sender: string): number[] {
  return server.conversations.get(id)!.messages.map((m) => decodeEnvelope(fromBase64url(m.envelope)).header).filter((h) => h.senderAccountId === sender).map((h) => h.epoch);
}

describe("epoch lifetime", () => {
  test("past seven days the sender refreshes every member's log and makes the next epoch", async () => {
    expect(EPOCH_MAX_AGE_MS).toBe(7 * 24 * 60 * 60 * 1000);
    const server = new LyingServer();
    let offset = 0;
    const alice = new ChatClient({ db: freshDb(), api: new Api("", server.fetchFor()), origin: server.origin, autoSync: false, realtime: null, now: () => Date.now() + offset });
    const bob = clientOn(server);
    await alice.signUp("alice");
    await bob.signUp("bob");
    const id = await alice.startChat("bob");
    await alice.send(id, "day one");
    await alice.sync.syncNow();
    offset = 6 * 24 * 60 * 60 * 1000;
    await alice.send(id, "day six");
    await alice.sync.syncNow();
    expect(epochsPosted(server, id, server.accountIdOf("alice"))).toEqual([0, 0]);

    offset = 7 * 24 * 60 * 60 * 1000 + 60_000;
    const logFetches = () => server.requests.filter((r) => r === `GET /api/accounts/${server.accountIdOf("bob")}/log`).length;
    const before = logFetches();
    await alice.send(id, "day eight");
    await alice.sync.syncNow();
    expect(logFetches()).toBeGreaterThan(before);
    expect(epochsPosted(server, id, server.accountIdOf("alice"))).toEqual([0, 0, 1]);
    await bob.sync.syncNow();
    expect((await messageViews(bob.db, id)).map((m) => m.text)).toEqual(["day one", "day six", "day eight"]);
  });
});

describe("epochs advance by exactly one", () => {
  test("a bundle listed without the epoch before it is refused, and the message under it hidden", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const server = new LyingServer();
    const bob = await registerNodeAccount(server, "bob");
    const alice = clientOn(server);
    await alice.signUp("alice");
    const id = await alice.startChat(bob.username);
    const { as, epoch } = await makesDirectEpoch(server, bob, genesisDevice(bob), bob.state, id, "alice", 4_294_967_295);
    serverStores(server, id, (await makeEnvelope(as, epoch, "from the far future")).bytes);
    await alice.sync.syncNow();
    expect(await getEpoch(alice.db, id, 4_294_967_295)).toBeUndefined();
    expect((await conversationView(alice.db, id))?.rejected).toBe(1);
    // Sending still works, under the next epoch after the newest verified one.
    await alice.send(id, "still here");
    await alice.sync.syncNow();
    expect(epochsPosted(server, id, server.accountIdOf("alice"))).toEqual([0]);
  });
});
