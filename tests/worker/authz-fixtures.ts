import { env } from "cloudflare:workers";
import { createAttachmentResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { sealDeviceSecrets } from "../../protocol/device-secrets.js";
import type { AccountId } from "../../protocol/ids.js";
import { createAccount, logIn, type LoggedInAccount, type TestAccount } from "../support/account.js";
import { apiClient, type ApiClient } from "../support/api-client.js";
import { startConversation, type TestEpoch } from "../support/conversation.js";
import { TestGroup, makeGroupEpoch, postGroup } from "../support/group.js";
import { testCrypto } from "../support/crypto-env.js";
import { fakeArgon2id } from "../support/fake-argon2id.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry, revokeEntry, type AccountLog, type TestDevice } from "../support/device-log.js";
import { freshAddress, openLink, type OpenedLink } from "../support/link-relay.js";
import { passphraseBlobFor, recoveryBlobFor } from "../support/recovery.js";
import { ORIGIN, directFetch } from "./api.js";
import { hubSql } from "./hub-session-fixtures.js";

/**
 * The world the authorization matrix runs in: a member (alice, device A1) in a conversation with bob,
 * an unrelated account (mallory), a second device of alice that logged in and was then revoked, and
 * alice's recovery blob and passphrase. Every request carries a client address of its own, so the
 * per-address rate limits never decide a cell.
 */
export const freshApi: ApiClient = apiClient(ORIGIN, (url, init) => directFetch(url, { ...init, headers: { "CF-Connecting-IP": freshAddress(), ...init.headers } }));

export interface AuthzFixtures {
  readonly alice: LoggedInAccount;
  readonly bob: LoggedInAccount;
  readonly mallory: LoggedInAccount;
  /** Alice's second device after its revoke: the identity and the cookie it had while active. */
  readonly revoked: { readonly device: TestAccount; readonly cookie: string };
  /** Alice's third device, active: the recipient of the member's device-secrets package. */
  readonly third: TestDevice;
  /** Alice's log as her devices hold it; advanced by every entry the matrix stores. */
  aliceLog: AccountLog;
  /** The conversation's newest epoch: messages are sealed under it (an older one is refused). */
  epoch: TestEpoch;
  /** The conversation's next epoch number (epochs advance by exactly one). */
  nextEpoch: number;
  /** The counter of alice's last stored recovery blob. */
  recoveryCounter: number;
  readonly passphrase: { readonly blob: string; readonly accessToken: string };
  /** A group bob created (so bob is its admin) with alice as a plain member. */
  readonly group: TestGroup;
  /** The group's epoch 0, made and posted by bob: what group metas are sealed under. */
  readonly groupEpoch: TestEpoch;
  /** A link no principal answered, whose token stands for "another link's token". */
  readonly otherLink: OpenedLink;
}

export async function makeAuthzFixtures(): Promise<AuthzFixtures> {
  const api = freshApi;
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  const mallory = await createAccount(api, "mallory");
  const epoch = await startConversation(api, alice, bob);

  // Alice adds a second and a third device; the second logs in, then a revoke entry co-signed by A1 removes it.
  let log = accountLog(alice);
  const [second, third] = [await makeDevice(), await makeDevice()];
  for (const device of [second, third]) {
    const add = await addDeviceEntry(log, device, genesisDevice(alice));
    expectStatus(await postLogEntry(api, alice.cookie, alice.accountId, add), 201, "add a device");
    log = await add.next();
  }
  const secondAs = asDevice(alice, second, log.state);
  const revokedCookie = await logIn(api, secondAs);
  const revoke = await revokeEntry(log, second.deviceId, genesisDevice(alice));
  expectStatus(await postLogEntry(api, alice.cookie, alice.accountId, revoke), 201, "revoke the second device");
  log = await revoke.next();

  // The third device hands A1 the rotated secrets, so A1 has a package waiting.
  const thirdCookie = await logIn(api, asDevice(alice, third, log.state));
  const pkg = await secretsPackage(alice.accountId, third, genesisDevice(alice), log);
  expectStatus(await api.call("PUT", `/api/devices/${alice.deviceId}/secrets`, { cookie: thirdCookie, json: { package: toBase64url(pkg) } }), 204, "store A1's secrets");

  const blob = await recoveryBlobFor(log, alice.keys.recovery, 1);
  expectStatus(await api.call("PUT", "/api/recovery/blob", { cookie: alice.cookie, json: { blob: toBase64url(blob) } }), 204, "store the recovery blob");
  const group = new TestGroup();
  const create = await group.createEntry(bob, [alice]);
  expectStatus(await postGroup(api, bob, create), 201, "bob creates the group");
  await group.accept(create);
  const groupEpoch = await makeGroupEpoch(bob, group, [bob, alice], 0);
  expectStatus(await api.call("POST", `/api/conversations/${group.id}/epochs`, { cookie: bob.cookie, json: { bundle: toBase64url(groupEpoch.bytes) } }), 201, "bob posts the group's epoch 0");

  const pp = await passphraseBlobFor(log, fakeArgon2id, "correct horse battery staple", alice.keys.recoveryKey);

  return {
    alice,
    bob,
    mallory,
    revoked: { device: secondAs, cookie: revokedCookie },
    third,
    aliceLog: log,
    epoch,
    nextEpoch: 1,
    recoveryCounter: 1,
    passphrase: { blob: toBase64url(pp.blob), accessToken: toBase64url(pp.accessToken) },
    group,
    groupEpoch,
    otherLink: await openLink(api),
  };
}

/**
 * A new session of `account`'s device whose expiry is moved into the past in its hub, as if 30 days had
 * gone by. Made per use: every login sweeps expired sessions, so an old one would be deleted, not expired.
 */
export async function expiredSessionOf(account: TestAccount): Promise<string> {
  const cookie = await logIn(freshApi, account);
  // A second-form token (issue 22): its session is in the account's hub, keyed by the hash of label, account and secret.
  const [, accountId, secret] = cookie.slice(cookie.indexOf("=") + 1).split(".");
  const label = new TextEncoder().encode(`sealed/session-token/v2\0${accountId}\0`);
  const hash = new Uint8Array(await testCrypto.subtle.digest("SHA-256", new Uint8Array([...label, ...fromBase64url(secret!)])));
  const now = Date.now();
  const changed = await hubSql(accountId!, (sql) => sql.exec("UPDATE sessions SET expires_at = ? WHERE token_hash = ? RETURNING 1", now - 1, hash).toArray().length);
  if (changed !== 1) throw new Error("the session to expire was not found");
  return cookie;
}

/** A device-secrets package from `from` to `to`, citing the head of `log`. */
export function secretsPackage(accountId: AccountId, from: TestDevice, to: TestDevice, log: AccountLog): Promise<Uint8Array> {
  const secrets = { identityKey: new Uint8Array(48).fill(1), historyGeneration: log.state.history.generation, historyKey: new Uint8Array(48).fill(2) };
  const head = log.state.head;
  return sealDeviceSecrets(testCrypto, { accountId, headSeq: head.seq, headHash: head.hash, senderDeviceId: from.deviceId, recipientDeviceId: to.deviceId, recipientBoxKey: to.boxPublic, secrets });
}

/** A fresh link opened by a new device and answered by `by` (the existing device). */
export async function answeredLink(by: LoggedInAccount): Promise<OpenedLink> {
  const link = await openLink(freshApi);
  const res = await freshApi.call("POST", `/api/link/${link.linkId}/respond`, { cookie: by.cookie, json: { ephemeralKey: toBase64url(testCrypto.randomBytes(32)) } });
  expectStatus(res, 200, "answer the link");
  return link;
}

/** The 10 bytes of every attachment the matrix uploads (one part), sent as a string body. */
export const ATTACHMENT_BYTES = "0123456789";

/**
 * A fresh 10-byte attachment of alice in the conversation, at `stage`: created (no part yet), uploaded
 * (its one part sent) or complete. Fresh per cell, so a delete or a completion in one cell changes no other.
 */
export async function aliceAttachment(fx: AuthzFixtures, stage: "created" | "uploaded" | "complete"): Promise<string> {
  const cookie = fx.alice.cookie;
  const created = await freshApi.call("POST", `/api/conversations/${fx.epoch.conversationId}/attachments`, { cookie, json: { size: ATTACHMENT_BYTES.length } });
  expectStatus(created, 201, "create an attachment");
  const { id } = createAttachmentResponse.parse(await created.json());
  if (stage === "created") return id;
  expectStatus(await freshApi.call("PUT", `/api/attachments/${id}/parts/1`, { cookie, body: ATTACHMENT_BYTES, headers: { "Content-Length": String(ATTACHMENT_BYTES.length) } }), 200, "send the part");
  if (stage === "uploaded") return id;
  expectStatus(await freshApi.call("POST", `/api/attachments/${id}/complete`, { cookie }), 200, "complete the attachment");
  return id;
}

function expectStatus(res: Response, status: number, what: string): void {
  if (res.status !== status) throw new Error(`fixture: ${what} answered ${res.status}, not ${status}`);
}
