// Client tests with one account built in Node (protocol code, tests/support) next to real clients on a
// LyingServer: its honest posts (log entries, bundles, envelopes) go straight into the server's state, and
// a revoked device of it, in league with the server, can post what it likes. Shared by the issue-15 tests.
import { expect } from "vitest";
import {
  EntryKind,
  SignerRole,
  cryptoEnvFrom,
  encodeAddDevicePayload,
  encodeRevokePayload,
  exportPublic,
  fromBase64url,
  generateSigningPair,
  makeEntry,
  nextHistoryGeneration,
  toBase64url,
  unwrapSecret,
  verifyLog,
  type AccountState,
  type ConversationId,
} from "../../../protocol/index.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import { refreshLog } from "../../../web/src/client/identity/logs.js";
import { getAccount, getDevice } from "../../../web/src/client/store/db.js";
import { makeAccount, uniqueUsername, type TestAccount } from "../../support/account.js";
import { makeEpochBundle, type TestEpoch } from "../../support/conversation.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, revokeEntry, type AccountLog, type TestDevice } from "../../support/device-log.js";
import { LyingServer } from "./lying-server.js";

const env = cryptoEnvFrom(globalThis.crypto);

/** Registers a Node-built account on the server. */
export async function registerNodeAccount(server: LyingServer, name: string): Promise<TestAccount> {
  const a = await makeAccount(uniqueUsername(name));
  const res = await server.fetchFor()("/api/accounts", { method: "POST", body: JSON.stringify({ username: a.username, genesis: toBase64url(a.genesis) }) });
  expect(res.status).toBe(200);
  return a;
}

/** The account's stored log is now `entries` (it posted an entry). */
export function postsLog(server: LyingServer, a: TestAccount, entries: readonly Uint8Array[]): void {
  server.replaceLog(a.username, entries.map(toBase64url));
}

/** An account's state as the server's stored log says. */
export async function serverState(server: LyingServer, username: string): Promise<AccountState> {
  return verifyLog(env, server.accounts.get(server.accountIdOf(username))!.log.map(fromBase64url));
}

/** Alice with two devices: A1 (genesis) and A2 (added); the log after each step. */
export async function twoDevices(server: LyingServer, a: TestAccount): Promise<{ a1: TestDevice; a2: TestDevice; withA2: AccountLog }> {
  const a1 = genesisDevice(a);
  const a2 = await makeDevice();
  const withA2 = await (await addDeviceEntry(accountLog(a), a2, a1)).next();
  postsLog(server, a, withA2.entries);
  return { a1, a2, withA2 };
}

/** A1 revokes A2; the server stores the entry. */
export async function revokes(server: LyingServer, a: TestAccount, log: AccountLog, a2: TestDevice, a1: TestDevice): Promise<AccountLog> {
  const revoked = await (await revokeEntry(log, a2.deviceId, a1)).next();
  postsLog(server, a, revoked.entries);
  return revoked;
}

/** `device` of `a` (at log `state`) makes epoch `n` of the 1:1 chat with `peer`; the server stores it. */
export async function makesDirectEpoch(server: LyingServer, a: TestAccount, device: TestDevice, state: AccountState, id: ConversationId, peer: string, n: number): Promise<{ as: TestAccount; epoch: TestEpoch }> {
  const as = asDevice(a, device, state);
  const other = { accountId: server.accountIdOf(peer), state: await serverState(server, peer) } as unknown as TestAccount;
  const epoch = await makeEpochBundle(as, id, [as, other], n);
  server.conversations.get(id)!.epochs.set(n, toBase64url(epoch.bytes));
  return { as, epoch };
}

/** The server stores an envelope as the next message of the conversation. */
export function serverStores(server: LyingServer, id: ConversationId, envelope: Uint8Array): void {
  const c = server.conversations.get(id)!;
  const seq = c.messages.length + 1;
  c.messages.push({ seq, envelope: toBase64url(envelope), receivedAt: Date.now() });
  c.conversation = { ...c.conversation, lastSeq: seq };
}

/** A real client's device-log entries, signed in Node with the keys in its own database. */
export async function clientAddsDevice(server: LyingServer, client: ChatClient, device: TestDevice): Promise<void> {
  const account = (await getAccount(client.db))!;
  const own = (await getDevice(client.db))!;
  const state = await verifyLog(env, account.log);
  const { bytes } = await makeEntry(
    env,
    { kind: EntryKind.addDevice, seq: state.head.seq + 1, prev: state.head.hash, createdAt: Date.now(), payload: encodeAddDevicePayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic }) },
    [
      { role: SignerRole.identity, privateKey: account.identityKey, publicKey: account.identityPublic },
      { role: SignerRole.device, privateKey: own.signingKey, publicKey: own.signingPublic },
      { role: SignerRole.newDevice, privateKey: device.signing.privateKey, publicKey: device.signingPublic },
    ],
  );
  server.replaceLog(account.username, [...account.log, bytes].map(toBase64url));
  await refreshLog(client.ctx, account.accountId);
}

/**
 * The client's device revokes `device`: the entry is stored and the client's log extended (its account
 * keys are not rotated on the device itself; these tests only read with it).
 */
export async function clientRevokesDevice(server: LyingServer, client: ChatClient, device: TestDevice): Promise<void> {
  const account = (await getAccount(client.db))!;
  const own = (await getDevice(client.db))!;
  const state = await verifyLog(env, account.log);
  const previousKey = await unwrapSecret(env, own.vaultKey, account.historyWrapped, "history", account.accountId, true, account.historyGeneration);
  const move = await nextHistoryGeneration(env, { accountId: account.accountId, previousGeneration: account.historyGeneration, previousKey });
  const identity = await generateSigningPair(env, true);
  const identityPublic = await exportPublic(env, identity.publicKey);
  const payload = encodeRevokePayload({ removedDeviceId: device.deviceId, newIdentityKey: identityPublic, historyGeneration: move.historyGeneration, historyKey: move.historyKey, sealedPreviousHistoryKey: move.sealedPreviousHistoryKey });
  const { bytes } = await makeEntry(env, { kind: EntryKind.revoke, seq: state.head.seq + 1, prev: state.head.hash, createdAt: Date.now(), payload }, [
    { role: SignerRole.identity, privateKey: account.identityKey, publicKey: account.identityPublic },
    { role: SignerRole.newIdentity, privateKey: identity.privateKey, publicKey: identityPublic },
    { role: SignerRole.device, privateKey: own.signingKey, publicKey: own.signingPublic },
  ]);
  server.replaceLog(account.username, [...account.log, bytes].map(toBase64url));
  await refreshLog(client.ctx, account.accountId);
}
