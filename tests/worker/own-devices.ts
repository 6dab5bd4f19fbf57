import { expect } from "vitest";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { startConversation } from "../support/conversation.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { api } from "./api.js";

/**
 * Alice with two logged-in devices (A1 is `alice`, A2 is `a2`) in a chat with Bob (`id`) and one with Carol
 * (`otherId`): the world of the routes that keep one sealed blob per account and conversation for the
 * account's own devices (read state, chat settings). `prefix` keeps usernames apart between test files.
 */
export async function ownDevicesWorld(prefix: string) {
  const [alice, bob, carol] = await Promise.all(["a", "b", "c"].map((p) => createAccount(api, `${prefix}${p}`)));
  const epoch = await startConversation(api, alice!, bob!);
  const other = await startConversation(api, alice!, carol!);
  const second = await makeDevice();
  const add = await addDeviceEntry(accountLog(alice!), second, genesisDevice(alice!));
  expect((await postLogEntry(api, alice!.cookie, alice!.accountId, add)).status).toBe(201);
  const a2Account = asDevice(alice!, second, (await add.next()).state);
  const a2: LoggedInAccount = { ...a2Account, cookie: await logIn(api, a2Account) };
  return { alice: alice!, a2, bob: bob!, carol: carol!, id: epoch.conversationId, otherId: other.conversationId };
}
