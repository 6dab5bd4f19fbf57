// The realtime frame of a newly stored message, told by the conversation object to its members' account
// objects (AccountHub, worker/realtime/), with what each needs to Web Push it to its devices with no
// socket: the route makes no hub call and no D1 query of its own for a send.
import type { RealtimeServerFrame } from "../../../protocol/api.js";
import { toBase64url } from "../../../protocol/bytes.js";
import type { AccountId, ConversationId } from "../../../protocol/ids.js";
import type { HubMessagePush } from "../../storage/push-store.js";

/**
 * What the conversation object asks of an account's hub: send this already-serialized frame to all of
 * the account's sockets, and push. Declared here rather than through the AccountHub class so storage does not name
 * the realtime layer's class (worker/env.ts binds the real one).
 */
export interface FrameHub extends Rpc.DurableObjectBranded {
  /**
   * Sends the frame to the account's sockets and, when `push` is given, Web Push to its devices with no
   * socket (worker/realtime/account-hub.ts); returns how many sockets it reached.
   */
  deliverMessage(text: string, push: HubMessagePush | null): Promise<number>;
}

/** Whether and how the members are alerted of a message: the route's `notify` and `mentions` bits. */
export interface MessageAlert {
  readonly notify: boolean;
  readonly mentions: boolean;
}

/**
 * Each member's push order for a stored message: none for the sender's own account (its devices sent it)
 * or when the sender asked for no alert (a receipt, an edit).
 */
export function pushOrderFor(member: AccountId, m: StoredForFanOut & { readonly senderAccountId: AccountId }, alert: MessageAlert | undefined): HubMessagePush | null {
  if (!alert?.notify || member === m.senderAccountId) return null;
  return { accountId: member, conversationId: m.conversationId, seq: m.seq, envelope: m.envelope, receivedAt: m.receivedAt, includeMuted: alert.mentions };
}

export interface StoredForFanOut {
  readonly conversationId: ConversationId;
  readonly seq: number;
  readonly envelope: Uint8Array;
  readonly receivedAt: number;
}

/** The frame's text, serialized once for every member's hub (the hubs send it as it is). */
export function messageFrameText(m: StoredForFanOut): string {
  return JSON.stringify({ type: "message", conversationId: m.conversationId, seq: m.seq, envelope: toBase64url(m.envelope), receivedAt: m.receivedAt } satisfies RealtimeServerFrame);
}

/** The stubs of the members' hubs, one per account, kept while they work. */
export interface HubStubs {
  get(id: AccountId): DurableObjectStub<FrameHub>;
  /** Drops a stub whose call failed: a stub that saw an error may stay broken, so the next frame gets a new one. */
  forget(id: AccountId): void;
}

/**
 * Sends `text` to every account's hub, with its push order (`pushOf`). Never rejects: a frame is a hint (the message is stored and
 * clients sync by cursor), so a failing hub is logged. The stubs are kept for the object's life: calls
 * through one stub arrive in the order they were made, so the frames of one conversation reach a hub in
 * seq order.
 */
export async function tellMembers(hubs: HubStubs, members: readonly AccountId[], text: string, pushOf: (id: AccountId) => HubMessagePush | null, what: string): Promise<void> {
  const results = await Promise.allSettled(members.map((id) => hubs.get(id).deliverMessage(text, pushOf(id))));
  results.forEach((r, i) => {
    if (r.status !== "rejected") return;
    const id = members[i] as AccountId;
    hubs.forget(id);
    console.error(`realtime push of ${what} to account ${id} failed`, r.reason);
  });
}
