import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { TYPING_RELAY_BURST } from "../../protocol/api.js";
import type { AccountId } from "../../protocol/ids.js";
import { createAccount } from "../support/account.js";
import { startConversation } from "../support/conversation.js";
import { makeTypingFrame } from "../support/typing.js";
import { api } from "./api.js";
import { snapshotDb } from "./db-snapshot.js";
import { closeAllRealtime, connectRealtime, type TestSocket } from "./realtime-socket.js";

afterEach(closeAllRealtime);

async function trio() {
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  const mallory = await createAccount(api, "mallory");
  const epoch = await startConversation(api, alice, bob);
  return { alice, bob, mallory, epoch, id: epoch.conversationId };
}

function typing(socket: TestSocket, conversationId: string, frame: string): void {
  socket.ws.send(JSON.stringify({ type: "typing", conversationId, frame }));
}

/** How many keys the account's hub keeps in its Durable Object storage (it must keep none). */
function hubStorageKeys(accountId: AccountId): Promise<number> {
  return runInDurableObject(env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(accountId)), async (_hub, state) => (await state.storage.list()).size);
}

/** Waits long enough for a relay that was going to happen to have happened (it goes hub to hub). */
async function settle(...sockets: TestSocket[]): Promise<void> {
  for (const s of sockets) {
    const pongs = s.inbox.ofType("pong").length;
    s.ws.send(JSON.stringify({ type: "ping" }));
    await s.inbox.waitFor("pong", () => s.inbox.ofType("pong").length > pongs);
  }
  await new Promise((r) => setTimeout(r, 150));
}

describe("typing frames over the realtime socket", () => {
  test("reach every socket of the other member as sent, and none of the sender's own or a non-member's", async () => {
    const { alice, bob, mallory, id, epoch } = await trio();
    const [a1, a2] = [await connectRealtime(alice), await connectRealtime(alice)];
    const [b1, b2] = [await connectRealtime(bob), await connectRealtime(bob)];
    const m = await connectRealtime(mallory);
    const frame = await makeTypingFrame(alice, epoch);
    typing(a1, id, frame);
    for (const b of [b1, b2]) expect(await b.inbox.waitFor("typing")).toEqual({ type: "typing", conversationId: id, frame });
    await settle(a1, a2, m);
    // No answer to the sender on success, nothing to alice's other tab, nothing to mallory.
    expect(a1.inbox.frames.map((f) => f.type)).toEqual(["hello", "pong"]);
    expect(a2.inbox.frames.map((f) => f.type)).toEqual(["hello", "pong"]);
    expect(m.inbox.frames.map((f) => f.type)).toEqual(["hello", "pong"]);
  });

  test("relays both ways, the stopped state as well (the server cannot tell them apart)", async () => {
    const { alice, bob, id, epoch } = await trio();
    const [a, b] = [await connectRealtime(alice), await connectRealtime(bob)];
    const stopped = await makeTypingFrame(bob, epoch, { state: "stopped" });
    typing(b, id, stopped);
    expect(await a.inbox.waitFor("typing")).toEqual({ type: "typing", conversationId: id, frame: stopped });
  });

  test("a non-member is refused with not_member and nothing is relayed", async () => {
    const { alice, bob, mallory, id, epoch } = await trio();
    const [a, b, m] = [await connectRealtime(alice), await connectRealtime(bob), await connectRealtime(mallory)];
    // Mallory seals a well-formed frame in her own name for a conversation she is not in.
    typing(m, id, await makeTypingFrame(mallory, epoch));
    expect(await m.inbox.next()).toMatchObject({ type: "error", code: "not_member" });
    await settle(a, b);
    expect([...a.inbox.ofType("typing"), ...b.inbox.ofType("typing")]).toEqual([]);
  });

  test("a frame in another device's name, or naming another conversation, is refused with wrong_sender", async () => {
    const { alice, bob, mallory, id, epoch } = await trio();
    const other = await startConversation(api, alice, mallory);
    const [a, b] = [await connectRealtime(alice), await connectRealtime(bob)];
    // Bob relays a frame that names alice as its sender (a replay of hers, or a forgery).
    typing(b, id, await makeTypingFrame(alice, epoch));
    expect(await b.inbox.next()).toMatchObject({ type: "error", code: "wrong_sender" });
    // Alice's frame names another conversation than the one she asks to relay it to.
    typing(a, other.conversationId, await makeTypingFrame(alice, epoch));
    expect(await a.inbox.next()).toMatchObject({ type: "error", code: "wrong_sender" });
    await settle(a, b);
    expect([...a.inbox.ofType("typing"), ...b.inbox.ofType("typing")]).toEqual([]);
  });

  test.each([
    ["a frame of the wrong size", (f: string) => f.slice(0, -8), "invalid_frame"],
    ["a frame that is not base64url", () => "!".repeat(270), "invalid_frame"],
    ["a frame of another version", (f: string) => `Ag${f.slice(2)}`, "invalid_frame"],
  ] as const)("%s is refused and the socket stays usable", async (_what, mangle, code) => {
    const { alice, bob, id, epoch } = await trio();
    const [a, b] = [await connectRealtime(alice), await connectRealtime(bob)];
    typing(a, id, mangle(await makeTypingFrame(alice, epoch)));
    expect(await a.inbox.next()).toMatchObject({ type: "error", code });
    await a.roundTrip();
    await settle(b);
    expect(b.inbox.ofType("typing")).toEqual([]);
  });

  test("too many frames at once: the burst is relayed, the rest dropped with rate_limited", async () => {
    const { alice, bob, id, epoch } = await trio();
    const [a, b] = [await connectRealtime(alice), await connectRealtime(bob)];
    const frames = await Promise.all(Array.from({ length: 10 }, () => makeTypingFrame(alice, epoch)));
    for (const f of frames) typing(a, id, f);
    const errors = [];
    for (let i = 0; i < frames.length - TYPING_RELAY_BURST; i++) errors.push(await a.inbox.next());
    expect(errors.map((e) => (e.type === "error" ? e.code : e.type))).toEqual(Array(frames.length - TYPING_RELAY_BURST).fill("rate_limited"));
    await settle(a, b);
    expect(b.inbox.ofType("typing")).toHaveLength(TYPING_RELAY_BURST);
    // Another socket of the same device has its own budget.
    const a2 = await connectRealtime(alice);
    typing(a2, id, await makeTypingFrame(alice, epoch));
    await b.inbox.waitFor("typing", () => b.inbox.ofType("typing").length > TYPING_RELAY_BURST);
  });

  test("the budget refills: a frame after a pause is relayed again", async () => {
    const { alice, bob, id, epoch } = await trio();
    const [a, b] = [await connectRealtime(alice), await connectRealtime(bob)];
    for (let i = 0; i < TYPING_RELAY_BURST + 1; i++) typing(a, id, await makeTypingFrame(alice, epoch));
    expect(await a.inbox.next()).toMatchObject({ type: "error", code: "rate_limited" });
    await new Promise((r) => setTimeout(r, 600));
    const later = await makeTypingFrame(alice, epoch, { state: "stopped" });
    typing(a, id, later);
    expect(await b.inbox.waitFor("typing", (f) => f.frame === later)).toEqual({ type: "typing", conversationId: id, frame: later });
  });

  test("nothing is stored: D1 is unchanged and no hub keeps anything", async () => {
    const { alice, bob, mallory, id, epoch } = await trio();
    const [a, b, m] = [await connectRealtime(alice), await connectRealtime(bob), await connectRealtime(mallory)];
    const before = await snapshotDb();
    const relayed = await makeTypingFrame(alice, epoch);
    typing(a, id, relayed);
    typing(m, id, await makeTypingFrame(mallory, epoch));
    await b.inbox.waitFor("typing");
    await m.inbox.next();
    await settle(a, b);
    expect(await snapshotDb()).toEqual(before);
    expect(JSON.stringify(await snapshotDb())).not.toContain(relayed.slice(0, 40));
    for (const acc of [alice, bob, mallory]) expect(await hubStorageKeys(acc.accountId)).toBe(0);
  });
});
