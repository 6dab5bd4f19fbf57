import type { RealtimeClientFrame, RealtimeServerFrame } from "../../protocol/api.js";
import { fromBase64url } from "../../protocol/bytes.js";
import { isProtocolError } from "../../protocol/errors.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import { decodeTypingFrame } from "../../protocol/typing.js";
import type { ConversationStore } from "../storage/conversation-store.js";
import { refuse } from "./client-frame.js";

/**
 * Relays a typing frame (docs/PROTOCOL.md "Typing frame", docs/API.md "Realtime") from a socket of
 * `from` to the other members of the conversation: checked, never stored. The server cannot open the
 * frame, but it reads the plaintext header and refuses a frame naming another conversation, account or
 * device than the socket's, so a member's socket cannot relay frames in another's name (receivers check
 * the signature anyway). Returns the error frame for the sender, or undefined once relayed.
 */
export async function relayTyping(p: {
  frame: Extract<RealtimeClientFrame, { type: "typing" }>;
  from: { accountId: AccountId; deviceId: DeviceId };
  conversations: Pick<ConversationStore, "find">;
  push: (accountIds: readonly AccountId[], frame: RealtimeServerFrame) => Promise<void>;
}): Promise<RealtimeServerFrame | undefined> {
  const { conversationId, frame } = p.frame;
  let header;
  try {
    header = decodeTypingFrame(fromBase64url(frame)).header;
  } catch (e) {
    return refuse("invalid_frame", isProtocolError(e) ? e.message : "the typing frame does not decode");
  }
  if (header.conversationId !== conversationId || header.senderAccountId !== p.from.accountId || header.senderDeviceId !== p.from.deviceId) {
    return refuse("wrong_sender", "the typing frame must name this conversation, account and device");
  }
  let members: readonly AccountId[];
  try {
    const conversation = await p.conversations.find(conversationId);
    // A conversation that does not exist and one the account is not in get the same answer.
    if (!conversation?.members.includes(p.from.accountId)) return refuse("not_member", "you are not a member of this conversation");
    members = conversation.members;
  } catch (e) {
    console.error("typing relay: membership lookup failed", e);
    return refuse("unavailable", "the server could not check this frame; nothing was relayed");
  }
  // The sender's own devices are left out: nobody is shown their own typing.
  const others = members.filter((m) => m !== p.from.accountId);
  await p.push(others, { type: "typing", conversationId, frame });
  return undefined;
}
