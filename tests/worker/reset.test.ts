import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { REALTIME_CLOSE_REVOKED, deviceListResponse } from "../../protocol/api.js";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { recoverEntry, resetEntry } from "../support/recovery.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

let address = 0;
const newAddress = () => `198.51.100.${++address}`;

/** Alice with her genesis device and a second ("stolen") one, both logged in. */
async function aliceWithStolenDevice() {
  const alice = await createAccount(api, "reset");
  const stolen = await makeDevice();
  const add = await addDeviceEntry(accountLog(alice), stolen, genesisDevice(alice));
  expect((await postLogEntry(api, alice.cookie, alice.accountId, add)).status).toBe(201);
  const log = await add.next();
  const thief = asDevice(alice, stolen, log.state);
  const thiefAs: LoggedInAccount = { ...thief, cookie: await logIn(api, thief) };
  return { alice, stolen, thiefAs, log };
}

describe("reset entry (the recovery key outranks devices)", () => {
  test("without a session: every old device is signed out at once and the new one logs in", async () => {
    const { alice, thiefAs, log } = await aliceWithStolenDevice();
    const sockets = [await connectRealtime(alice), await connectRealtime(thiefAs)];
    const closed = sockets.map((s) => new Promise<number>((resolve) => s.ws.addEventListener("close", (e) => resolve(e.code))));
    const fresh = await makeDevice();
    const entry = await resetEntry(log, fresh, alice.keys.recovery);
    const res = await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: entry.b64 }, headers: { "CF-Connecting-IP": newAddress() } });
    expect(res.status).toBe(201);

    expect(await Promise.all(closed)).toEqual([REALTIME_CLOSE_REVOKED, REALTIME_CLOSE_REVOKED]);
    await expectError(await api.call("GET", "/api/me", { cookie: alice.cookie }), 401, "unauthenticated");
    await expectError(await api.call("GET", "/api/me", { cookie: thiefAs.cookie }), 401, "unauthenticated");
    const next = await entry.next();
    const cookie = await logIn(api, asDevice(alice, fresh, next.state));
    const devices = deviceListResponse.parse(await (await api.call("GET", "/api/devices", { cookie })).json()).devices;
    expect(devices.map((d) => [d.deviceId, d.revokedAt === null])).toEqual([
      [alice.deviceId, false],
      [thiefAs.deviceId, false],
      [fresh.deviceId, true],
    ]);
    const row = await env.DB.prepare("SELECT recovery_last_used_at FROM accounts WHERE id = ?1").bind(alice.accountId).first<{ recovery_last_used_at: number }>();
    expect(row?.recovery_last_used_at).toBeGreaterThan(Date.now() - 60_000);
  });

  test("the thief's old identity key can add nothing afterwards, and cannot undo the reset", async () => {
    const { alice, stolen, log } = await aliceWithStolenDevice();
    const entry = await resetEntry(log, await makeDevice(), alice.keys.recovery);
    expect((await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: entry.b64 }, headers: { "CF-Connecting-IP": newAddress() } })).status).toBe(201);
    const after = await entry.next();
    // Signed with the pre-reset identity key and the stolen device: refused whoever posts it.
    const sneaky = await addDeviceEntry({ ...after, identity: log.identity }, await makeDevice(), stolen);
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: sneaky.b64 }, headers: { "CF-Connecting-IP": newAddress() } }), 401, "unauthenticated");
    // A recover entry needs the identity key the reset installed, which only the recovery key holder has.
    const recover = await recoverEntry({ ...after, identity: log.identity }, await makeDevice(), alice.keys.recovery);
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: recover.b64 }, headers: { "CF-Connecting-IP": newAddress() } }), 400, "invalid_entry");
  });

  test("a reset signed by another account's recovery key is refused and changes nothing", async () => {
    const { alice, thiefAs, log } = await aliceWithStolenDevice();
    const mallory = await createAccount(api, "mal");
    const forged = await resetEntry(log, await makeDevice(), mallory.keys.recovery);
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: forged.b64 }, headers: { "CF-Connecting-IP": newAddress() } }), 400, "invalid_entry");
    expect((await api.call("GET", "/api/me", { cookie: alice.cookie })).status).toBe(200);
    expect((await api.call("GET", "/api/me", { cookie: thiefAs.cookie })).status).toBe(200);
  });
});
