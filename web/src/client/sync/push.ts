import type { RealtimeServerFrame } from "../../../../protocol/api.js";
import type { ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { syncConversations } from "../conversations/conversations.js";
import { loadEpochs } from "../conversations/epochs.js";
import { getAccount, getConversation, latestEpoch } from "../store/db.js";
import { adoptRotatedSecrets } from "../identity/key-updates.js";
import { syncMembership } from "../groups/membership.js";
import { checkOwnLog } from "../identity/own-log.js";
import type { ConversationRow } from "../store/rows.js";
import { refreshLog } from "../identity/logs.js";
import { pullReadStates } from "./read-state.js";
import { pullChatSettings } from "./chat-settings.js";
import { pullMessages, receivePushedRun } from "./receive.js";

/**
 * What a realtime frame means for the local store. Frames are hints: everything they announce is
 * also reachable by cursor, so a frame that cannot be applied now is left to the next catch-up.
 */

/**
 * The conversation as stored locally (a new one is listed first), read once and handed on to what the
 * frame does with it. Undefined if it is not ours.
 */
async function stored(ctx: ClientContext, id: ConversationId): Promise<ConversationRow | undefined> {
  const conv = await getConversation(ctx.db, id);
  if (conv) return conv;
  await syncConversations(ctx);
  return getConversation(ctx.db, id);
}

async function known(ctx: ClientContext, id: ConversationId): Promise<boolean> {
  return (await stored(ctx, id)) !== undefined;
}

type MessageFrame = Extract<RealtimeServerFrame, { type: "message" }>;

/**
 * The frames that arrived while earlier ones were applied, applied in order, except that a run of
 * message frames for one conversation is stored as one page (receivePushedRun): a burst of pushes
 * costs one transaction, not one per message. Returns the first error after applying what it can.
 */
export async function applyFrames(ctx: ClientContext, frames: readonly RealtimeServerFrame[]): Promise<void> {
  let failure: unknown;
  for (let i = 0; i < frames.length; ) {
    const frame = frames[i]!;
    const run: MessageFrame[] = [];
    while (frame.type === "message" && i < frames.length) {
      const f = frames[i]!;
      if (f.type !== "message" || f.conversationId !== frame.conversationId) break;
      run.push(f);
      i++;
    }
    if (run.length === 0) i++;
    try {
      await (run.length > 0 ? applyMessages(ctx, run) : applyFrame(ctx, frame));
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
}

async function applyMessages(ctx: ClientContext, frames: readonly MessageFrame[]): Promise<void> {
  const conv = await stored(ctx, frames[0]!.conversationId);
  if (conv) await receivePushedRun(ctx, conv, frames.map((f) => ({ seq: f.seq, envelope: f.envelope, receivedAt: f.receivedAt })));
}

export async function applyFrame(ctx: ClientContext, frame: RealtimeServerFrame): Promise<void> {
  switch (frame.type) {
    case "message":
      return applyMessages(ctx, [frame]);
    case "conversation": {
      // A new conversation, or a group's new name: list again (a known group's sealed name comes with it).
      const before = await getConversation(ctx.db, frame.conversationId);
      if (before?.kind === "group") await syncConversations(ctx);
      if (before ?? (await stored(ctx, frame.conversationId))) await pullMessages(ctx, frame.conversationId);
      return;
    }
    case "epoch": {
      const conv = await stored(ctx, frame.conversationId);
      if (!conv) return;
      // Its bundle now, not when a message first needs it: a member's typing frames are sealed under its
      // newest epoch, which may have no message yet (a device linked, then the chat opened), and a frame
      // under an epoch this device does not hold is dropped (docs/PROTOCOL.md "Typing frame").
      if (((await latestEpoch(ctx.db, conv.id))?.epoch ?? -1) < frame.epoch) {
        const failed = await loadEpochs(ctx, conv).catch((e: unknown) => new Map([[frame.epoch, e]]));
        for (const [epoch, e] of failed) console.warn(`epoch ${epoch} not opened yet (a message under it will try again):`, e);
      }
      // A new epoch may be what a stalled message was waiting for: fetch what is new by cursor.
      await pullMessages(ctx, frame.conversationId);
      return;
    }
    case "log":
      // A device was added or removed on this account or a contact's: extend the verified log now, so the
      // next epoch is made for the right devices. A log that fails to extend blocks the contact.
      if ((await getAccount(ctx.db))?.accountId === frame.accountId) await checkOwnLog(ctx).catch((e: unknown) => console.warn("could not check this account's log:", e));
      else await refreshLog(ctx, frame.accountId).catch((e: unknown) => console.warn("could not refresh a device log:", e));
      return;
    case "secrets":
      // Another device of this account sealed it the keys of a revoke or recovery-key rotation.
      await adoptRotatedSecrets(ctx).catch((e: unknown) => console.warn("could not adopt the account's new keys:", e));
      return;
    case "membership":
      // A group changed: verify and extend its membership log (a removed account learns it by a 403).
      if (await getConversation(ctx.db, frame.conversationId)) {
        const g = await syncMembership(ctx, frame.conversationId).catch((e: unknown) => console.warn("could not update a group's members:", e));
        if (g && g.refusedAt === undefined) await pullMessages(ctx, frame.conversationId).catch((e: unknown) => console.warn("could not fetch a group's messages:", e));
      } else await known(ctx, frame.conversationId);
      return;
    case "read-state":
      // Another device of this account read something: fetch its sealed read state now.
      await pullReadStates(ctx);
      return;
    case "chat-settings":
      // Another device of this account changed a chat's settings: fetch and apply them now.
      await pullChatSettings(ctx);
      return;
    case "typing": // shown by facades/typing.ts as it arrives, outside this queue; nothing to store
    case "hello":
    case "pong":
    case "error":
      return;
  }
}
