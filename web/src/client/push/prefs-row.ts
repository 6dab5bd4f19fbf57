import { z } from "zod";
import { conversationIdSchema } from "../../../../protocol/api.js";

/**
 * What a notification may show (docs/decisions.md "Push notifications"): `full` "Alice: text", `sender`
 * the sender's name only, `none` just "New message". Kept on this device, never sent anywhere.
 */
export const notificationPrivacy = z.enum(["full", "sender", "none"]);
export type NotificationPrivacy = z.infer<typeof notificationPrivacy>;

/**
 * This device's Web Push state (store/db.ts version 10), one row: whether it is subscribed (the endpoint
 * it registered, to tell a stale one), the privacy choice, and the account's muted chats as last set or
 * fetched (the server holds the list; this copy is what the chat list shows and what the service
 * worker checks).
 */
export const pushPrefsRow = z.object({
  id: z.literal("self"),
  privacy: notificationPrivacy,
  endpoint: z.string().max(2048).optional(),
  muted: z.array(conversationIdSchema).max(10_000),
});
export type PushPrefsRow = z.infer<typeof pushPrefsRow>;
