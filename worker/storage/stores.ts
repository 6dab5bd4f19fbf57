// Every store the routes use, made once per request (worker/http/stores.ts puts them on the context).
// Routes see only these interfaces; which engine implements them is decided in worker/db/d1-stores.ts.
import type { AccountStore } from "./account-store.js";
import type { AttachmentStore } from "./attachment-store.js";
import type { BlobStore } from "./blob-store.js";
import type { ConversationStore } from "./conversation-store.js";
import type { Directory } from "./directory.js";
import type { LinkStore } from "./link-store.js";
import type { MessageLog } from "./message-log.js";
import type { ProfileStore } from "./profile-store.js";
import type { PushStore } from "./push-store.js";
import type { RateLimitStore } from "./rate-limit-store.js";
import type { ReadStateStore } from "./read-state-store.js";
import type { ChatSettingsStore } from "./chat-settings-store.js";
import type { RecoveryStore } from "./recovery-store.js";
import type { SessionStore } from "./session-store.js";

export interface Stores {
  readonly directory: Directory;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly recovery: RecoveryStore;
  readonly conversations: ConversationStore;
  readonly messages: MessageLog;
  readonly links: LinkStore;
  readonly rateLimits: RateLimitStore;
  readonly attachments: AttachmentStore;
  /** Attachment ciphertext, keyed by attachment id. */
  readonly blobs: BlobStore;
  readonly readState: ReadStateStore;
  /** Sealed chat-list settings per account and conversation (issue 21). */
  readonly chatSettings: ChatSettingsStore;
  /** Web Push subscriptions and mutes (issue 19). */
  readonly push: PushStore;
  /** Sealed profiles (issue 21 item 1). */
  readonly profiles: ProfileStore;
}
