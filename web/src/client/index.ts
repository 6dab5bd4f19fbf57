/**
 * The client's one door for the UI (docs/ARCHITECTURE.md): web/src/ui/, web/src/pwa/ and main.ts import
 * from web/src/client/ only this file (.dependency-cruiser.mjs "ui-through-the-client-door"). It holds
 * ChatClient and its facades, the read models the screens render, and the errors the UI turns into
 * sentences. The store, the transports and the operations' context stay behind it.
 */
import { ChatClient as Core, type ClientOptions } from "./client.js";

/** What the UI may use of the client: everything but the store and the operations' context. */
export type ChatClient = Omit<Core, "ctx" | "db">;

export function createChatClient(o?: ClientOptions): ChatClient {
  return new Core(o);
}

export type { DeviceStatus } from "./client.js";
export type { SignOutPlan } from "./identity/sign-out.js";
export type { Drafts } from "./conversations/drafts.js";
export type { DeviceSettings } from "./settings.js";
export type { ReceiptSender } from "./sync/receipts.js";
export type { TypingFacade, TypingPerson } from "./facades/typing.js";
export type { Syncer, SyncStatus } from "./sync/sync.js";
export type { HistoryProgress } from "./sync/history.js";
export type { SearchFacade } from "./search/search-facade.js";
export type { SearchResult, SearchOptions } from "./search/query.js";
export type { IndexProgress } from "./search/indexer.js";
export type { AttachmentsFacade } from "./facades/attachments.js";
export type { DownloadProgress, OpenOptions } from "./attachments/download.js";
export type { OutgoingFile } from "./attachments/outgoing.js";
export { MAX_SEND_BYTES } from "./attachments/outgoing.js";
export type { UploadView } from "./views/upload-view.js";
export type { UploadState, UploadError } from "./store/upload-row.js";
export type { TimelineWindow, WindowRange } from "./views/timeline-window.js";
export { DELETED_TEXT, NEEDS_NEWER_VERSION, UNNAMED_GROUP, type ReactionView, type ReplyQuote, type ConversationView, type DeliveryView, type GroupView, type MemberView, type MentionView, type MessageView, type PeerView, type SystemLineView, type TimelineItem, type AttachmentView } from "./views/views.js";
export { MAX_DEVICE_NAME, type DeviceView } from "./identity/devices.js";
export type { OwnLogAlarm, OwnLogCheck } from "./identity/own-log.js";
export { defaultDeviceName } from "./identity/device-names.js";
export type { NewDeviceStep } from "./link/link-new.js";
export type { ExistingDeviceLink, LinkHello } from "./link/link-existing.js";
export type { RestoreSecret, RestoreStep } from "./recovery/open.js";
export type { RestoreRequest } from "./facades/recovery.js";
export { REQUIRED_PASSPHRASE_BITS, estimatePassphraseBits } from "./recovery/passphrase-strength.js";
export { isApiError } from "./transport/api.js";
export type { ExportOptions, ExportProgress, ExportResult } from "./export/export-file.js";
export { MemberRefused, isClientError } from "./errors.js";
export type { PushFacade, PushStatus, NotificationPrivacy } from "./push/facade.js";
export { isPushError, pushErrorText } from "./push/push-error.js";
export { writeNotificationLocale } from "./push/notification-locale.js";
export { isRecoveryError } from "./recovery/recovery-error.js";
export { DraftMentions } from "./conversations/draft-mentions.js";
export type { ChatControls } from "./chats/chat-controls.js";
export { MAX_PINNED } from "./chats/chat-prefs-row.js";
export { orderChats } from "./chats/chat-order.js";
export type { ProfilesFacade, MyProfile } from "./profiles/facade.js";
