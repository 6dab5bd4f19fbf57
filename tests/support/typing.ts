import { toBase64url } from "../../protocol/bytes.js";
import type { ConversationId } from "../../protocol/ids.js";
import type { Key } from "../../protocol/subtle.js";
import { sealTypingFrame, typingKey, type TypingStateName } from "../../protocol/typing.js";
import type { TestAccount } from "./account.js";
import type { TestEpoch } from "./conversation.js";
import { testCrypto } from "./crypto-env.js";

/**
 * A typing frame from `sender`'s device under `epoch`, as a client seals one (docs/PROTOCOL.md "Typing
 * frame"), base64url. Overrides make frames the server or a receiver must refuse.
 */
export async function makeTypingFrame(
  sender: TestAccount,
  epoch: TestEpoch,
  o: { state?: TypingStateName; sentAt?: number; conversationId?: ConversationId; signingKey?: Key } = {},
): Promise<string> {
  const key = await typingKey(testCrypto, { ck: epoch.ck, conversationId: epoch.conversationId, epoch: epoch.epoch, keyId: epoch.keyId });
  const bytes = await sealTypingFrame(testCrypto, {
    header: {
      conversationId: o.conversationId ?? epoch.conversationId,
      epoch: epoch.epoch,
      keyId: epoch.keyId,
      senderAccountId: sender.accountId,
      senderDeviceId: sender.deviceId,
      sentAt: o.sentAt ?? Date.now(),
    },
    key,
    signingKey: o.signingKey ?? sender.keys.deviceSigning.privateKey,
    state: o.state ?? "typing",
  });
  return toBase64url(bytes);
}
