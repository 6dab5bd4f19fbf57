// Client tests with one account built in Node (protocol code, tests/support) next to real clients on a
// LyingServer: its honest posts (log entries, bundles, envelopes) go straight into the server's state, and
// a revoked device of it, in league with the server, can post what it likes. Shared by the issue-15 tests.
import { expect } from "vitest";
import { cryptoEnvFrom, fromBase64url, toBase64url, verifyLog, type AccountState, type ConversationId } from "../../../protocol/index.js";
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
