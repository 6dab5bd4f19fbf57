import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { deviceSecretsResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { openDeviceSecrets, sealDeviceSecrets } from "../../protocol/device-secrets.js";
import type { LogHead } from "../../protocol/device-log.js";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry, revokeEntry, type AccountLog, type TestDevice } from "../support/device-log.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

const SECRETS = { identityKey: new Uint8Array(48).fill(1), historyGeneration: 1, historyKey: new Uint8Array(48).fill(2) };

/** Alice with three devices (phone = genesis, laptop, tablet), the laptop then revoked by the phone. */
async function aliceAfterRevoke() {
  const alice = await createAccount(api, "alice");
  const phone = genesisDevice(alice);
  const laptop = await makeDevice();
  const tablet = await makeDevice();
  let log: AccountLog = accountLog(alice);
  for (const d of [laptop, tablet]) {
    const e = await addDeviceEntry(log, d, phone);
    expect((await postLogEntry(api, alice.cookie, alice.accountId, e)).status).toBe(201);
    log = await e.next();
  }
  const as = async (d: TestDevice): Promise<LoggedInAccount> => {
    const account = asDevice(alice, d, log.state);
    return { ...account, cookie: await logIn(api, account) };
  };
  const tabletAs = await as(tablet);
  const laptopAs = await as(laptop);
  const revoke = await revokeEntry(log, laptop.deviceId, phone);
  expect((await postLogEntry(api, alice.cookie, alice.accountId, revoke)).status).toBe(201);
  log = await revoke.next();
  return { alice, phone, laptop, tablet, tabletAs, laptopAs, log };
}

function seal(accountId: string, from: TestDevice, to: TestDevice, head: LogHead, secrets = SECRETS) {
  return sealDeviceSecrets(testCrypto, { accountId: accountId as never, headSeq: head.seq, headHash: head.hash, senderDeviceId: from.deviceId, recipientDeviceId: to.deviceId, recipientBoxKey: to.boxPublic, secrets });
}

function put(as: LoggedInAccount, deviceId: string, bytes: Uint8Array | string): Promise<Response> {
  return api.call("PUT", `/api/devices/${deviceId}/secrets`, { cookie: as.cookie, json: { package: typeof bytes === "string" ? bytes : toBase64url(bytes) } });
}

describe("device-secrets packages", () => {
  test("the device that revoked hands the remaining device its package, pushed and fetched opaque", async () => {
    const { alice, phone, tablet, tabletAs, log } = await aliceAfterRevoke();
    const socket = await connectRealtime(tabletAs);
    await expectError(await api.call("GET", "/api/devices/self/secrets", { cookie: tabletAs.cookie }), 404, "not_found");

    const sealed = await seal(alice.accountId, phone, tablet, log.state.head);
    const res = await put(alice, tablet.deviceId, sealed);
    expect(res.status).toBe(204);
    expect(await socket.inbox.next()).toEqual({ type: "secrets", headSeq: log.state.head.seq });

    const got = await api.call("GET", "/api/devices/self/secrets", { cookie: tabletAs.cookie });
    expect(got.status).toBe(200);
    const body = deviceSecretsResponse.parse(await got.json());
    expect(body.headSeq).toBe(3);
    const opened = await openDeviceSecrets(testCrypto, fromBase64url(body.package), { deviceId: tablet.deviceId, boxKey: tablet.box.privateKey, boxPublic: tablet.boxPublic });
    expect(opened.secrets).toEqual(SECRETS);
    // The server keeps bytes it cannot read, and the phone has none waiting.
    const row = await env.DB.prepare("SELECT package FROM device_secrets WHERE recipient_device_id = ?").bind(tablet.deviceId).first<{ package: ArrayBuffer }>();
    expect(new Uint8Array(row!.package)).toEqual(sealed);
    await expectError(await api.call("GET", "/api/devices/self/secrets", { cookie: alice.cookie }), 404, "not_found");
  });

  test("refuses packages that name someone else, a head the log lacks, or that are not packages at all", async () => {
    const { alice, phone, laptop, tablet, tabletAs, log } = await aliceAfterRevoke();
    const head = log.state.head;
    // Sender in the header is not the caller.
    await expectError(await put(tabletAs, phone.deviceId, await seal(alice.accountId, phone, phone, head)), 400, "invalid_package");
    // Recipient in the header is not the path's device.
    await expectError(await put(alice, tablet.deviceId, await seal(alice.accountId, phone, phone, head)), 400, "invalid_package");
    // A head this log does not have.
    await expectError(await put(alice, tablet.deviceId, await seal(alice.accountId, phone, tablet, { seq: head.seq, hash: new Uint8Array(32) })), 400, "invalid_package");
    await expectError(await put(alice, tablet.deviceId, await seal(alice.accountId, phone, tablet, { seq: head.seq + 1, hash: head.hash })), 400, "invalid_package");
    // Not a package; an unknown version.
    await expectError(await put(alice, tablet.deviceId, toBase64url(new Uint8Array(100))), 400, "invalid_package");
    await expectError(await put(alice, tablet.deviceId, "not base64!"), 400, "invalid_body");
    // Oneself, a removed device, another account's device, nobody.
    await expectError(await put(alice, phone.deviceId, await seal(alice.accountId, phone, phone, head)), 400, "invalid_package");
    await expectError(await put(alice, laptop.deviceId, await seal(alice.accountId, phone, laptop, head)), 403, "forbidden");
    const bob = await createAccount(api, "bob");
    await expectError(await put(alice, bob.deviceId, await seal(alice.accountId, phone, tablet, head)), 403, "forbidden");
    await expectError(await put(alice, "AAAAAAAAAAAAAAAAAAAAAA", await seal(alice.accountId, phone, tablet, head)), 404, "not_found");
    await expectError(await api.call("PUT", `/api/devices/${tablet.deviceId}/secrets`, { json: { package: toBase64url(await seal(alice.accountId, phone, tablet, head)) } }), 401, "unauthenticated");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM device_secrets WHERE account_id = ?").bind(alice.accountId).first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  test("never lets an older rotation's package replace a newer one", async () => {
    const { alice, phone, tablet, log } = await aliceAfterRevoke();
    const newer = await seal(alice.accountId, phone, tablet, log.state.head);
    const older = await seal(alice.accountId, phone, tablet, { seq: 1, hash: log.state.entryHashes[1]! });
    expect((await put(alice, tablet.deviceId, newer)).status).toBe(204);
    await expectError(await put(alice, tablet.deviceId, older), 409, "stale_package");
    // The same position again (a retry) is fine.
    expect((await put(alice, tablet.deviceId, await seal(alice.accountId, phone, tablet, log.state.head))).status).toBe(204);
  });

  test("a revoked device can neither fetch nor send packages", async () => {
    const { alice, phone, laptopAs, log } = await aliceAfterRevoke();
    await expectError(await api.call("GET", "/api/devices/self/secrets", { cookie: laptopAs.cookie }), 401, "unauthenticated");
    await expectError(await put(laptopAs, phone.deviceId, await seal(alice.accountId, phone, phone, log.state.head)), 401, "unauthenticated");
  });
});
