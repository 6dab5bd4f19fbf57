// A second device of a signed-up client's account, for client tests on the FakeServer (which has no link
// relay): the device is added to the account's log as a linked device would be, and its store starts as a
// copy of the first device's (the account secrets a link carries) with the new device's own keys. Make it
// before the account has conversations, so no per-device state (send chains, outbox) is copied.
import type { Key } from "../../../protocol/index.js";
import { getDevice, putDevice } from "../../../web/src/client/store/db.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import type { SealedDb } from "../../../web/src/client/store/db.js";
import { makeDevice } from "../../support/device-log.js";
import { freshDb } from "./helpers.js";
import type { LyingServer } from "./lying-server.js";
import { clientAddsDevice } from "./node-account.js";

/** A key made by the test as a CryptoKey (the store keeps CryptoKeys; protocol code types them as `Key`). */
export function cryptoKey(k: Key): CryptoKey {
  if (!(k instanceof CryptoKey)) throw new Error("not a CryptoKey");
  return k;
}

/** Adds a device to `first`'s account and returns the store it starts from. */
export async function secondDeviceDb(server: LyingServer, first: ChatClient): Promise<SealedDb> {
  const device = await makeDevice();
  await clientAddsDevice(server, first, device);
  const db = freshDb();
  await db.open();
  for (const table of first.db.tables) await db.table(table.name).bulkPut(await table.toArray());
  const own = (await getDevice(first.db))!;
  await putDevice(db, { ...own, deviceId: device.deviceId, signingKey: cryptoKey(device.signing.privateKey), signingPublic: device.signingPublic, boxKey: cryptoKey(device.box.privateKey), boxPublic: device.boxPublic });
  return db;
}
