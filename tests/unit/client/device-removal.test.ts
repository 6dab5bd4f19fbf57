// Issue 15 item 7: the server alone cannot make a device wipe itself. A refused login (403 on the
// challenge, or login_failed twice) wipes local data only when this device's own device log, fetched
// and verified as an extension of the stored one, shows it removed; otherwise every byte stays and the
// client reports "refused".
import { indexedDB } from "fake-indexeddb";
import { describe, expect, test } from "vitest";
import { toBase64url, unwrapSecret, verifyLog, type AccountId } from "../../../protocol/index.js";
import type { KeyPair } from "../../../protocol/subtle.js";
import { Api } from "../../../web/src/client/transport/api.js";
import { ChatClient } from "../../../web/src/client/client.js";
import { getAccount, getDevice, listConversations } from "../../../web/src/client/store/db.js";
import { RecoveryApi } from "../../../web/src/client/transport/recovery-api.js";
import { makeAccount, uniqueUsername } from "../../support/account.js";
import { addDeviceEntry, makeDevice, revokeEntry, type AccountLog, type TestDevice } from "../../support/device-log.js";
import { testCrypto } from "../../support/crypto-env.js";
import { freshDb } from "./helpers.js";
import { LyingServer, refusal } from "./lying-server.js";

type DeviceStatus = ChatClient["deviceStatus"];

function clientWithRecovery(server: LyingServer): ChatClient {
  const browser = server.browser();
  return new ChatClient({ db: freshDb(), api: new Api("", browser.fetch), recoveryApi: new RecoveryApi("", browser.fetch), origin: server.origin, autoSync: false, realtime: null });
}

/** Alice signed up, in a chat with Bob, synced once. */
async function setUp() {
  const server = new LyingServer();
  const bob = await makeAccount(uniqueUsername("bob"));
  await server.fetchFor()("/api/accounts", { method: "POST", body: JSON.stringify({ username: bob.username, genesis: toBase64url(bob.genesis) }) });
  const alice = clientWithRecovery(server);
  await alice.signUp(uniqueUsername("alice"));
  const id = await alice.startChat(bob.username);
  await alice.send(id, "kept");
  await alice.sync.syncNow();
  return { server, alice, id };
}

/** The next device status the client reports (after a refused login it checks the log first). */
function nextStatus(client: ChatClient): Promise<DeviceStatus> {
  return new Promise((resolve) => client.addEventListener("device-status", () => resolve(client.deviceStatus), { once: true }));
}

/** The session ends (the server answers 401), so the next pass logs in again. */
function sessionEnds(server: LyingServer): void {
  server.lie("GET", /^\/api\/conversations$/, () => refusal(401, "unauthenticated"));
}

async function stillHoldsEverything(client: ChatClient): Promise<void> {
  const db = client.ctx.db;
  expect(await getAccount(db)).toBeDefined();
  expect(await getDevice(db)).toBeDefined();
  expect(await listConversations(db)).toHaveLength(1);
  expect((await db.messages.toArray()).map((m) => m.text)).toContain("kept");
}

describe("a refused login on the server's word alone wipes nothing", () => {
  test("403 on the login challenge while the device log still lists this device", async () => {
    const { server, alice } = await setUp();
    sessionEnds(server);
    server.lie("POST", /^\/api\/session\/challenge$/, () => refusal(403, "forbidden"));
    const status = nextStatus(alice);
    await alice.sync.syncNow();
    expect(await status).toBe("refused");
    await stillHoldsEverything(alice);
  });

  test("login_failed twice while the device log still lists this device", async () => {
    const { server, alice } = await setUp();
    sessionEnds(server);
    server.lie("POST", /^\/api\/session$/, () => refusal(401, "login_failed"));
    const status = nextStatus(alice);
    await alice.sync.syncNow();
    expect(await status).toBe("refused");
    await stillHoldsEverything(alice);
  });

  test("a served log that does not extend the stored one (another account's) is not proof", async () => {
    const { server, alice } = await setUp();
    const stranger = await makeAccount(uniqueUsername("mallory"));
    sessionEnds(server);
    server.lie("POST", /^\/api\/session\/challenge$/, () => refusal(403, "forbidden"));
    server.lie("GET", /^\/api\/recovery\//, (body: { log: string[] }) => ({ ...body, log: [toBase64url(stranger.genesis)] }));
    const status = nextStatus(alice);
    await alice.sync.syncNow();
    expect(await status).toBe("refused");
    await stillHoldsEverything(alice);
  });

  test("a refusal when the app starts (a reload) keeps everything too", async () => {
    const { server, alice } = await setUp();
    server.lie("POST", /^\/api\/session\/challenge$/, () => refusal(403, "forbidden"));
    // The same browser storage, a new page: no session cookie, so starting logs in again.
    const browser = server.browser();
    const reloaded = new ChatClient({ db: alice.ctx.db, api: new Api("", browser.fetch), recoveryApi: new RecoveryApi("", browser.fetch), origin: server.origin, autoSync: false, realtime: null });
    const status = nextStatus(reloaded);
    expect(await reloaded.start()).toBe(true);
    expect(await status).toBe("refused");
    await stillHoldsEverything(reloaded);
  });

  test("after a refusal, retrying logs in again once the server accepts the device", async () => {
    const { server, alice } = await setUp();
    sessionEnds(server);
    server.lie("POST", /^\/api\/session\/challenge$/, () => refusal(403, "forbidden"));
    const refused = nextStatus(alice);
    await alice.sync.syncNow();
    expect(await refused).toBe("refused");
    server.stopLying();
    const back = nextStatus(alice);
    await alice.retryAfterRefusal();
    expect(await back).toBe("active");
    await stillHoldsEverything(alice);
  });
});

/** Alice's log as her client holds it, with the keys to extend it (taken from the client's own store). */
async function aliceLog(client: ChatClient): Promise<{ log: AccountLog; self: TestDevice }> {
  const ctx = client.ctx;
  const account = (await getAccount(ctx.db))!;
  const device = (await getDevice(ctx.db))!;
  const identityPrivate = await unwrapSecret(testCrypto, device.vaultKey, account.identityWrapped, "identity", account.accountId, true);
  const historyPrivate = await unwrapSecret(testCrypto, device.vaultKey, account.historyWrapped, "history", account.accountId, true, account.historyGeneration);
  // The public halves are only used as signer labels: the protocol code exports them from these pairs.
  const identity = { privateKey: identityPrivate, publicKey: await publicOf(identityPrivate, "Ed25519") } as KeyPair;
  const history = { privateKey: historyPrivate, publicKey: await publicOf(historyPrivate, "X25519") } as KeyPair;
  const state = await verifyLog(testCrypto, account.log, account.accountId as AccountId);
  const self: TestDevice = {
    deviceId: device.deviceId,
    signing: { privateKey: device.signingKey, publicKey: await importRaw(device.signingPublic, "Ed25519") } as KeyPair,
    box: { privateKey: device.boxKey, publicKey: await importRaw(device.boxPublic, "X25519") } as KeyPair,
    signingPublic: device.signingPublic,
    boxPublic: device.boxPublic,
  };
  return { log: { accountId: account.accountId, entries: account.log, state, identity, history }, self };
}

async function importRaw(raw: Uint8Array, name: "Ed25519" | "X25519"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", new Uint8Array(raw), { name }, true, name === "Ed25519" ? ["verify"] : []);
}

/** The public key of an extractable private key, through its JWK (x is the public half). */
async function publicOf(privateKey: unknown, name: "Ed25519" | "X25519"): Promise<CryptoKey> {
  const jwk = await crypto.subtle.exportKey("jwk", privateKey as CryptoKey);
  return crypto.subtle.importKey("jwk", { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! }, { name }, true, name === "Ed25519" ? ["verify"] : []);
}

describe("the device's own verified log showing its removal wipes it", () => {
  test("a real revoke (another device of the account removed this one)", async () => {
    const { server, alice } = await setUp();
    const { log, self } = await aliceLog(alice);
    const other = await makeDevice();
    const withOther = await (await addDeviceEntry(log, other, self)).next();
    const revoked = await (await revokeEntry(withOther, self.deviceId, other)).next();
    server.replaceLog(alice.session!.username, revoked.entries.map(toBase64url));
    sessionEnds(server);
    const db = alice.ctx.db;
    const status = nextStatus(alice);
    await alice.sync.syncNow();
    expect(await status).toBe("removed");
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(db.name);
    expect(alice.removedDeviceId).toBe(self.deviceId);
  });
});
