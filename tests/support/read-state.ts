// Sealed read states of a test account (docs/PROTOCOL.md "Read state"), for worker and client tests.
import { exportPublic } from "../../protocol/primitives.js";
import { sealReadState } from "../../protocol/read-state.js";
import { ClientMessageId, DeviceId, type ConversationId } from "../../protocol/ids.js";
import type { TestAccount } from "./account.js";
import { testCrypto } from "./crypto-env.js";

/** `account` read `conversationId` up to `position` (the ref names a made-up envelope: the server cannot tell). */
export async function sealedReadStateOf(account: TestAccount, conversationId: ConversationId, position: number): Promise<Uint8Array> {
  const history = { historyKey: account.keys.history.privateKey, historyPublic: await exportPublic(testCrypto, account.keys.history.publicKey), generation: 0 };
  const ref = { deviceId: DeviceId.fromBytes(new Uint8Array(16).fill(7)), clientMessageId: ClientMessageId.fromBytes(testCrypto.randomBytes(16)) };
  return sealReadState(testCrypto, history, conversationId, { position, ref });
}
