import { z } from "zod";
import { pushMutesResponse, vapidKeyResponse, type pushMuteRequest, type PushSubscriptionRequest } from "../../../../protocol/push.js";
import type { ConversationId } from "../../../../protocol/index.js";
import { requestJson, type FetchFn } from "./api.js";

const empty = z.unknown();

/**
 * The Web Push calls of docs/API.md "Push" (issue 19), with the session: the server's VAPID key, this
 * device's subscription, and the account's muted chats. Kept apart from api.ts like the link and
 * recovery calls; each answer is parsed with its protocol/push.ts schema.
 */
export class PushApi {
  private readonly fetchFn: FetchFn;

  constructor(
    private readonly baseUrl = "",
    fetchFn?: FetchFn,
  ) {
    this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
  }

  private call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    return requestJson(this.fetchFn, this.baseUrl + path, { method, schema, body });
  }

  /** The server's VAPID public key (RFC 8292), base64url of the 65-byte P-256 point. */
  vapidKey() {
    return this.call("GET", "/api/push/vapid", vapidKeyResponse);
  }

  /** Registers (or replaces) this device's push subscription. */
  putSubscription(sub: PushSubscriptionRequest) {
    return this.call("PUT", "/api/push/subscription", empty, sub);
  }

  deleteSubscription() {
    return this.call("DELETE", "/api/push/subscription", empty);
  }

  /** Mutes or unmutes a chat for every device of the account: the server stops pushing it. */
  putMute(conversationId: ConversationId, muted: boolean) {
    return this.call("PUT", `/api/push/mutes/${encodeURIComponent(conversationId)}`, empty, { muted } satisfies z.input<typeof pushMuteRequest>);
  }

  mutes() {
    return this.call("GET", "/api/push/mutes", pushMutesResponse);
  }
}
