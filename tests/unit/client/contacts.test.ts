import { describe, expect, test } from "vitest";
import { EntryKind, SignerRole, cryptoEnvFrom, encodeAddDevicePayload, makeEntry, toBase64url } from "../../../protocol/index.js";
import { getAccount, getContact, getDevice } from "../../../web/src/client/store/db.js";
import { isClientError } from "../../../web/src/client/errors.js";
import { createDeviceKeys } from "../../../web/src/client/identity/keystore.js";
import { refreshLog } from "../../../web/src/client/identity/logs.js";
import { conversationViews, messageViews, peerOf } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn } from "./helpers.js";

const env = cryptoEnvFrom(globalThis.crypto);

async function chatting() {
  const server = new FakeServer();
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  const bobId = server.accountIdOf("bob");
  return { server, alice, bob, id, bobId };
}

describe("contacts are trusted on first use and then held to it", () => {
  test("the safety number is the same on both sides", async () => {
    const { server, alice, bob, bobId } = await chatting();
    const a = await alice.safetyNumber(bobId);
    const b = await bob.safetyNumber(server.accountIdOf("alice"));
    expect(a).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a).toBe(b);
  });

  test("a server that serves another genesis for a known username blocks the contact and stops sending", async () => {
    const { server, alice, id, bobId } = await chatting();
    // Someone else registers "bob" on another server; this one now serves that account for the name.
    const other = new FakeServer();
    const impostor = clientOn(other);
    await impostor.signUp("bob");
    const impostorAccount = (await getAccount(impostor.db))!;
    server.replaceLog("bob", impostorAccount.log.map(toBase64url), impostorAccount.accountId);

    await alice.openConversation(id);
    const contact = (await getContact(alice.db, bobId))!;
    expect(contact.status).toBe("identity_changed");
    expect(contact.problem?.code).toBe("identity_mismatch");
    const err = await alice.send(id, "still there?").catch((e: unknown) => e);
    expect(isClientError(err, "contact_blocked")).toBe(true);
    expect(await messageViews(alice.db, id)).toEqual([]);
    expect(peerOf((await conversationViews(alice.db))[0]!)?.status).toBe("identity_changed");
    // The warning lasts: looking the name up again does not clear it.
    await expect(alice.startChat("bob")).rejects.toMatchObject({ code: "contact_blocked" });
  });

  test("a log that went backwards is a lasting alarm (log_conflict)", async () => {
    const { server, alice, bob, id, bobId } = await chatting();
    const genesis = [...server.accounts.get(bobId)!.log];
    await addSecondDevice(server, bob);
    await alice.openConversation(id);
    expect((await getContact(alice.db, bobId))!.head.seq).toBe(1);
    server.replaceLog("bob", genesis);
    await alice.openConversation(id);
    expect((await getContact(alice.db, bobId))!).toMatchObject({ status: "identity_changed", problem: { code: "log_conflict" } });
  });

  test("an envelope citing a newer sender head makes the receiver fetch and check the log, then read it", async () => {
    const { server, alice, bob, id, bobId } = await chatting();
    await alice.send(id, "before");
    await alice.sync.syncNow();
    await bob.sync.syncNow();
    await addSecondDevice(server, bob);
    await refreshLog(bob.ctx, bobId); // Bob's first device learns of its new sibling
    await bob.send(id, "after adding a device");
    await bob.sync.syncNow();
    // Alice has not looked at Bob's log since: the new epoch and the envelope cite head 1.
    expect((await getContact(alice.db, bobId))!.head.seq).toBe(0);
    await alice.sync.syncNow();
    expect((await messageViews(alice.db, id)).map((m) => m.text)).toEqual(["before", "after adding a device"]);
    expect((await getContact(alice.db, bobId))!.head.seq).toBe(1);
    expect(server.conversations.get(id)!.epochs.size).toBe(2);
  });
});

/** Appends a valid add-device entry to Bob's log on the server, signed by his AIK and first device. */
async function addSecondDevice(server: FakeServer, bob: ReturnType<typeof clientOn>) {
  const account = (await getAccount(bob.db))!;
  const device = (await getDevice(bob.db))!;
  const second = await createDeviceKeys(env, Date.now());
  const { bytes } = await makeEntry(
    env,
    { kind: EntryKind.addDevice, seq: account.head.seq + 1, prev: account.head.hash, createdAt: Date.now(), payload: encodeAddDevicePayload({ deviceSigningKey: second.signingPublic, deviceBoxKey: second.boxPublic }) },
    [
      { role: SignerRole.identity, privateKey: account.identityKey, publicKey: account.identityPublic },
      { role: SignerRole.device, privateKey: device.signingKey, publicKey: device.signingPublic },
      { role: SignerRole.newDevice, privateKey: second.signingKey, publicKey: second.signingPublic },
    ],
  );
  server.replaceLog("bob", [...account.log.map(toBase64url), toBase64url(bytes)]);
}
