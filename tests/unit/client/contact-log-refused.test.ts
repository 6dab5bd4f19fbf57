import { describe, expect, test } from "vitest";
import { toBase64url, type AccountId, type ConversationId } from "../../../protocol/index.js";
import { getContact } from "../../../web/src/client/store/db.js";
import { isClientError } from "../../../web/src/client/errors.js";
import { applyFrame } from "../../../web/src/client/sync/push.js";
import { makeAccount, uniqueUsername } from "../../support/account.js";
import { accountLog, addDeviceEntry, genesisDevice, makeDevice, revokeEntry, type AccountLog, type TestDevice } from "../../support/device-log.js";
import { FakeServer, clientOn } from "./helpers.js";

// Client level, against the fake server: the server serves a CONTACT's (Bob's) log with an entry it
// forged, cut back to an older head, or extended by the device Bob revoked signing with the identity key
// that revocation retired. Alice's client must block Bob (the state sealed-identity-banner renders),
// refuse to send to him, and keep the log it verified before. Bob is built in Node so his keys are ours.

type Client = ReturnType<typeof clientOn>;

interface Setup {
  server: FakeServer;
  alice: Client;
  bobId: AccountId;
  bobName: string;
  chat: ConversationId;
  /** Bob's log as Alice last verified it, with the keys of his first device (D0) and a revoked one (D1). */
  log: AccountLog;
  d0: TestDevice;
  d1: TestDevice;
  /** The identity key Bob's revoke retired. */
  oldIdentity: AccountLog["identity"];
}

function serve(s: Pick<Setup, "server" | "bobName">, entries: readonly Uint8Array[]): void {
  s.server.replaceLog(s.bobName, entries.map(toBase64url));
}

/** Bob (genesis D0, then D1 added and revoked) chats with Alice, whose client has verified all of it. */
async function setUp(): Promise<Setup> {
  const server = new FakeServer();
  const bob = await makeAccount(uniqueUsername("bob"));
  const res = await server.fetchFor()("/api/accounts", { method: "POST", body: JSON.stringify({ username: bob.username, genesis: toBase64url(bob.genesis) }) });
  expect(res.status).toBe(200);
  const alice = clientOn(server);
  await alice.signUp("alice");
  const chat = await alice.startChat(bob.username);

  const d0 = genesisDevice(bob);
  const d1 = await makeDevice();
  const withD1 = await (await addDeviceEntry(accountLog(bob), d1, d0)).next();
  const log = await (await revokeEntry(withD1, d1.deviceId, d0)).next();
  const s = { server, alice, bobId: bob.accountId, bobName: bob.username, chat, log, d0, d1, oldIdentity: withD1.identity };
  serve(s, log.entries);
  await applyFrame(alice.ctx, { type: "log", accountId: bob.accountId, seq: 2 });
  const contact = (await getContact(alice.db, bob.accountId))!;
  expect(contact.status).toBe("verified");
  expect(contact.head.seq).toBe(2);
  return s;
}

/** The lies, each built on Bob's real log as Alice verified it. */
const lies: Array<{ name: string; code: string; detail: RegExp; lie: (s: Setup) => Promise<Uint8Array[]> }> = [
  {
    name: "an entry the server forged (signed by a key that is not Bob's identity key)",
    code: "invalid_log",
    detail: /signed by the wrong key/,
    lie: async (s) => {
      const stranger = await makeAccount();
      const forged = await addDeviceEntry(s.log, await makeDevice(), s.d0, { identity: stranger.keys.identity });
      return [...s.log.entries, forged.bytes];
    },
  },
  {
    name: "a log that went backwards (cut back before the revoke)",
    code: "log_conflict",
    detail: /./,
    lie: async (s) => s.log.entries.slice(0, 2),
  },
  {
    name: "an entry by the revoked device signed with the identity key its revocation retired",
    code: "invalid_log",
    detail: /signed by the wrong key/,
    lie: async (s) => {
      const stale = await addDeviceEntry(s.log, await makeDevice(), s.d1, { identity: s.oldIdentity });
      return [...s.log.entries, stale.bytes];
    },
  },
];

/** How Alice's client comes to fetch Bob's log again. */
const triggers: Array<{ name: string; run: (s: Setup) => Promise<void> }> = [
  { name: "a realtime log frame", run: (s) => applyFrame(s.alice.ctx, { type: "log", accountId: s.bobId, seq: s.log.state.head.seq + 1 }) },
  { name: "opening the chat", run: (s) => s.alice.openConversation(s.chat) },
];

describe.each(triggers)("a contact's log that does not verify blocks the contact (on $name)", (trigger) => {
  test.each(lies)("$name", async (c) => {
    const s = await setUp();
    const before = (await getContact(s.alice.db, s.bobId))!;
    serve(s, await c.lie(s));
    await trigger.run(s);

    const after = (await getContact(s.alice.db, s.bobId))!;
    expect(after.status).toBe("identity_changed");
    expect(after.problem?.code).toBe(c.code);
    expect(after.problem?.detail).toMatch(c.detail);
    // The verified log is kept, not replaced by what the server served.
    expect(after.head).toEqual(before.head);
    expect(after.log).toEqual(before.log);
    expect(after.log).toHaveLength(3);

    const err = await s.alice.send(s.chat, "still there?").catch((e: unknown) => e);
    expect(isClientError(err, "contact_blocked")).toBe(true);
    expect((err as Error).message).toContain("sending is stopped");

    // Lasting: the server serving the honest log again does not lift the block.
    serve(s, s.log.entries);
    await trigger.run(s);
    expect((await getContact(s.alice.db, s.bobId))!).toMatchObject({ status: "identity_changed", problem: { code: c.code } });
    await expect(s.alice.startChat(s.bobName)).rejects.toMatchObject({ code: "contact_blocked" });
  });
});

test("the honest log, extended by a real entry, is accepted (the lies above fail for what they are)", async () => {
  const s = await setUp();
  const next = await addDeviceEntry(s.log, await makeDevice(), s.d0);
  serve(s, [...s.log.entries, next.bytes]);
  await applyFrame(s.alice.ctx, { type: "log", accountId: s.bobId, seq: 3 });
  const contact = (await getContact(s.alice.db, s.bobId))!;
  expect(contact.status).toBe("verified");
  expect(contact.head.seq).toBe(3);
  expect(contact.log).toHaveLength(4);
});
