import type { ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount } from "../store/db.js";
import { makeAvatar } from "./avatar-image.js";
import { loadMyProfile, resealIfGenerationMoved, setMyProfile } from "./mine.js";
import { getProfileRow } from "./profile-store.js";
import { fetchProfiles } from "./receive-profile.js";

/** This account's profile as this device has it. */
export interface MyProfile {
  readonly name?: string;
  readonly avatar?: Uint8Array;
}

/**
 * Encrypted profiles (issue 21 item 1): set this account's display name and avatar, and keep the
 * profiles of contacts and group members fetched. What the UI shows comes from the views (views.ts reads
 * the profiles table), so a change appears wherever the name is shown without asking here.
 */
export class ProfilesFacade {
  constructor(
    private readonly ctx: ClientContext,
    /** Called once profile messages were queued, so the outbox posts them now rather than at the next poll. */
    private readonly afterQueue: () => void = () => undefined,
  ) {}

  /** This account's profile on this device (after `refresh`, also on a device that has seen no profile message). */
  async mine(): Promise<MyProfile> {
    const account = await getAccount(this.ctx.db);
    const row = account ? await getProfileRow(this.ctx.db, account.accountId) : undefined;
    return { ...(row?.name !== undefined ? { name: row.name } : {}), ...(row?.avatar ? { avatar: row.avatar } : {}) };
  }

  /**
   * Sets the display name, and the avatar: a picture to make one from, null to remove it, or undefined
   * to keep the current one. Needs the server (the blob is stored first); returns the chats it could not
   * be announced in yet (it goes there with the next message sent).
   */
  async set(name: string, avatar?: Blob | null): Promise<ConversationId[]> {
    const current = avatar === undefined ? (await this.mine()).avatar : avatar === null ? undefined : await makeAvatar(avatar);
    const failed = await setMyProfile(this.ctx, { name, ...(current ? { avatar: current } : {}) });
    this.afterQueue();
    return failed;
  }

  /**
   * Fetches what is due: profiles named but not yet opened, and this account's own where unknown here;
   * and seals this account's profile anew when the account history key moved to a new generation.
   */
  async refresh(): Promise<void> {
    await loadMyProfile(this.ctx).catch((e: unknown) => console.warn("could not load this account's profile:", e));
    await fetchProfiles(this.ctx);
    if (await resealIfGenerationMoved(this.ctx).catch((e: unknown) => (console.warn("could not seal the profile under the new key:", e), false))) this.afterQueue();
  }
}
