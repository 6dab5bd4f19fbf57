// Sign out (issues 19 and 21): a device leaves its account with a leave entry (kind 6) it signs itself. The
// server stores it like a revoke: the device is marked removed, its sessions, sockets and push
// subscription go, and logging out afterwards still clears the cookie.
import { describe, expect, test } from "vitest";
import { deviceListResponse } from "../../protocol/api.js";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, leaveEntry, makeDevice, postLogEntry, type AccountLog, type TestDevice } from "../support/device-log.js";
import { api, expectError } from "./api.js";
import { storedEndpoint, subscribeDevice } from "./push-fixtures.js";

/** Alice with a second device, both logged in. */
async function twoDevices(): Promise<{ first: LoggedInAccount; second: LoggedInAccount; secondDevice: TestDevice; log: AccountLog }> {
  const first = await createAccount(api, "alice");
  const secondDevice = await makeDevice();
  const add = await addDeviceEntry(accountLog(first), secondDevice, genesisDevice(first));
  expect((await postLogEntry(api, first.cookie, first.accountId, add)).status).toBe(201);
  const log = await add.next();
  const secondAccount = asDevice(first, secondDevice, log.state);
  return { first, second: { ...secondAccount, cookie: await logIn(api, secondAccount) }, secondDevice, log };
}

describe("POST /api/accounts/:accountId/log with a leave entry", () => {
  test("the leaving device's own session stores it: the device is removed, its session gets 401 and its push subscription is gone", async () => {
    const { first, second, secondDevice, log } = await twoDevices();
    await subscribeDevice(first);
    await subscribeDevice(second);
    expect(await storedEndpoint(second.accountId, second.deviceId)).toBeDefined();

    const res = await postLogEntry(api, second.cookie, second.accountId, await leaveEntry(log, secondDevice));
    expect(res.status).toBe(201);

    await expectError(await api.call("GET", "/api/me", { cookie: second.cookie }), 401, "unauthenticated");
    expect(await storedEndpoint(second.accountId, second.deviceId)).toBeUndefined();
    expect(await storedEndpoint(first.accountId, first.deviceId)).toBeDefined();
    const list = await api.call("GET", "/api/devices", { cookie: first.cookie });
    expect(list.status).toBe(200);
    const devices = deviceListResponse.parse(await list.json()).devices;
    expect(devices.map((d) => [d.deviceId, d.revokedAt !== null])).toEqual([
      [first.deviceId, false],
      [second.deviceId, true],
    ]);
    // A fresh login of the departed device is refused as removed.
    await expectError(await api.call("POST", "/api/session/challenge", { json: { accountId: second.accountId, deviceId: second.deviceId } }), 403, "forbidden");
  });

  test("logging out with the dead session still answers 204 and clears the cookie", async () => {
    const { second, secondDevice, log } = await twoDevices();
    expect((await postLogEntry(api, second.cookie, second.accountId, await leaveEntry(log, secondDevice))).status).toBe(201);
    const res = await api.call("DELETE", "/api/session", { cookie: second.cookie });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/sealed_session=;.*Max-Age=0/i);
  });

  test("a leave naming another device than the one that signs it is refused (400 invalid_entry)", async () => {
    const { first, log } = await twoDevices();
    const forged = await leaveEntry(log, genesisDevice(first), { signer: await makeDevice() });
    await expectError(await postLogEntry(api, first.cookie, first.accountId, forged), 400, "invalid_entry");
    const other = await twoDevices();
    // The first device signing a leave that names the second: no device removes another this way.
    const pushed = await leaveEntry(other.log, other.secondDevice, { signer: genesisDevice(other.first) });
    await expectError(await postLogEntry(api, other.first.cookie, other.first.accountId, pushed), 400, "invalid_entry");
    await expect(api.call("GET", "/api/me", { cookie: other.second.cookie }).then((r) => r.status)).resolves.toBe(200);
  });

  test("the only device cannot leave (400 invalid_entry): it logs out instead", async () => {
    const alice = await createAccount(api, "alice");
    await expectError(await postLogEntry(api, alice.cookie, alice.accountId, await leaveEntry(accountLog(alice), genesisDevice(alice))), 400, "invalid_entry");
    await subscribeDevice(alice);
    expect((await api.call("DELETE", "/api/session", { cookie: alice.cookie })).status).toBe(204);
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBeUndefined();
    await expectError(await api.call("GET", "/api/me", { cookie: alice.cookie }), 401, "unauthenticated");
  });
});
