// Sealed chat settings of a test account (docs/PROTOCOL.md "Chat settings"), for worker tests.
import { sealChatSettings, type ChatSettings } from "../../protocol/chat-settings.js";
import { DeviceId, type ConversationId } from "../../protocol/ids.js";
import { exportPublic } from "../../protocol/primitives.js";
import type { TestAccount } from "./account.js";
import { testCrypto } from "./crypto-env.js";

/** `account`'s settings of `conversationId` at `revision` (pinned, written by a made-up device: the server cannot tell). */
export async function sealedChatSettingsOf(account: TestAccount, conversationId: ConversationId, revision: number, s: Partial<ChatSettings> = {}): Promise<Uint8Array> {
  const history = { historyKey: account.keys.history.privateKey, historyPublic: await exportPublic(testCrypto, account.keys.history.publicKey), generation: 0 };
  return sealChatSettings(testCrypto, history, conversationId, revision, { writer: DeviceId.fromBytes(new Uint8Array(16).fill(7)), pinOrder: 1, hidden: [], ...s });
}
