// The fixture of figures 2 and 3: one direct conversation holding N real messages, made at protocol level
// in this Node process (real keys, real sealing and signing) and posted one by one through the real API of
// a `wrangler dev`, with the recovery blob of one of the two accounts stored so a browser can restore it.
import { toBase64url } from "../../../protocol/bytes.js";
import type { ClientMessageId, DeviceId } from "../../../protocol/ids.js";
import { formatRecoveryKey } from "../../../protocol/recovery-key.js";
import type { LoggedInAccount } from "../../../tests/support/account.js";
import { makeEnvelope, type TestEpoch } from "../../../tests/support/conversation.js";
import { testCrypto } from "../../../tests/support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry, type AccountLog } from "../../../tests/support/device-log.js";
import { recoveryBlobFor } from "../../../tests/support/recovery.js";
import { nodeApi, send, type SendStats } from "../load/client.js";
import { createAccount, logIn, startConversation } from "../load/setup.js";

export interface SeededHistory {
  readonly messages: number;
  /** The account a browser restores: its username and recovery key as the app shows it. */
  readonly alice: { readonly username: string; readonly recoveryKey: string };
  readonly bob: { readonly username: string };
  /** Texts of the oldest and the newest message, to check what the browser shows. */
  readonly oldest: string;
  readonly newest: string;
  /** Wall time of the seeding, s (not part of any figure). */
  readonly seconds: number;
  readonly restarts: number;
  /** What a benchmark needs to post more into the same conversation (not part of any result). */
  readonly handles: SeedHandles;
}

export interface SeedHandles {
  readonly api: ReturnType<typeof nodeApi>;
  readonly epoch: TestEpoch;
  readonly aliceSenders: readonly LoggedInAccount[];
  readonly bobSenders: readonly LoggedInAccount[];
  /** Each seeded message's id by its index: sender device, client message id, and whether Bob sent it. */
  readonly refs: readonly { readonly deviceId: DeviceId; readonly clientMessageId: ClientMessageId; readonly byBob: boolean }[];
  readonly stats: SendStats;
}

/** Lengths of real chat lines vary; these cycle so that runs of short and long bubbles alternate. */
const FILLER = ["ok", "sounds good, see you then", "did you get the notes from this morning? I left them on the shared drive", "👍", "can you send me the address again, the one from the invitation"];

export const textOf = (i: number): string => `#${i + 1} ${FILLER[i % FILLER.length]}`;

/** Devices per account that post side by side: more senders keep more requests in flight while seeding. */
const DEVICES = { alice: 2, bob: 4 };

/**
 * Adds `extra` devices to `account`'s log (each add-device entry signed by the AIK, the first device and
 * the new one, as linking does) and returns every device as a logged-in sender citing the final log head.
 */
async function withDevices(api: ReturnType<typeof nodeApi>, account: LoggedInAccount, extra: number): Promise<{ senders: LoggedInAccount[]; log: AccountLog }> {
  const first = genesisDevice(account);
  let log = accountLog(account);
  const devices = [first];
  for (let i = 0; i < extra; i++) {
    const device = await makeDevice();
    const entry = await addDeviceEntry(log, device, first);
    const res = await postLogEntry(api, account.cookie, account.accountId, entry);
    if (res.status !== 201) throw new Error(`adding a device failed: ${res.status} ${await res.text()}`);
    log = await entry.next();
    devices.push(device);
  }
  const senders: LoggedInAccount[] = [];
  for (const d of devices) {
    const as = asDevice(account, d, log.state);
    senders.push({ ...as, cookie: d === first ? account.cookie : await logIn(api, as) });
  }
  return { senders, log };
}

/**
 * Signs up Alice and Bob, gives them a few devices each, stores Alice's recovery blob, and writes
 * `count` messages into their conversation, Bob's devices two thirds and Alice's (in Node) one third.
 * Each device posts its messages in order, one request at a time (a sender's envelopes form a hash
 * chain, and the server numbers them in arrival order); the devices post side by side, so between the
 * first and the last message (both Bob's, posted alone) their order is the order of arrival.
 */
export async function seedHistory(baseURL: string, count: number, onProgress?: (done: number) => void): Promise<SeededHistory> {
  const t0 = performance.now();
  const api = nodeApi(baseURL);
  const a = await withDevices(api, await createAccount(api, "hist_alice"), DEVICES.alice - 1);
  const b = await withDevices(api, await createAccount(api, "hist_bob"), DEVICES.bob - 1);
  const alice = a.senders[0] as LoggedInAccount;
  const bob = b.senders[0] as LoggedInAccount;
  const blob = await recoveryBlobFor(a.log, alice.keys.recovery, 1);
  const put = await api.call("PUT", "/api/recovery/blob", { cookie: alice.cookie, json: { blob: toBase64url(blob) } });
  if (put.status !== 204) throw new Error(`storing the recovery blob failed: ${put.status} ${await put.text()}`);
  const epoch = await startConversation(api, bob, alice);
  const stats: SendStats = { restarts: 0 };
  let done = 0;
  const refs: SeedHandles["refs"][number][] = [];
  const post = async (sender: LoggedInAccount, i: number) => {
    const envelope = await makeEnvelope(sender, epoch, textOf(i));
    refs[i] = { deviceId: sender.deviceId, clientMessageId: envelope.clientMessageId, byBob: sender.accountId === bob.accountId };
    await send(api, sender, epoch as TestEpoch, envelope, stats);
    done += 1;
    if (done % 1000 === 0) onProgress?.(done);
  };
  const senders = [...b.senders, ...a.senders];
  const lane = async (sender: LoggedInAccount, lane: number) => {
    for (let i = 1; i < count - 1; i++) if (i % senders.length === lane) await post(sender, i);
  };
  await post(bob, 0);
  await Promise.all(senders.map((sender, i) => lane(sender, i)));
  if (count > 1) await post(bob, count - 1);
  return {
    messages: count,
    alice: { username: alice.username, recoveryKey: await formatRecoveryKey(testCrypto, alice.keys.recoveryKey) },
    bob: { username: bob.username },
    oldest: textOf(0),
    newest: textOf(count - 1),
    seconds: (performance.now() - t0) / 1000,
    restarts: stats.restarts,
    handles: { api, epoch: epoch as TestEpoch, aliceSenders: a.senders, bobSenders: b.senders, refs, stats },
  };
}
