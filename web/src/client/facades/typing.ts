import type { RealtimeServerFrame } from "../../../../protocol/api.js";
import type { AccountId, ConversationId, TypingStateName } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getContact } from "../store/db.js";
import type { FrameEvent, RealtimeConnection } from "../transport/realtime.js";
import { TypingKeys, openTyping, sealTyping } from "../sync/typing.js";

/** The per-device setting's key in localStorage: "off" turns typing indicators off both ways. */
export const TYPING_SETTING_KEY = "sealed-setting:typing";
/** While typing, "typing" is sent again at most this often (ms), which keeps the others' line alive. */
export const TYPING_RESEND_MS = 3000;
/** A shown "is typing" disappears this long after its last frame (ms) unless a newer one refreshes it. */
export const TYPING_SHOWN_MS = 5000;

/** Where the setting is kept: localStorage in a browser, memory elsewhere (Node, tests). */
export interface SettingStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function defaultStorage(): SettingStorage {
  if (typeof localStorage !== "undefined") return localStorage;
  const memory = new Map<string, string>();
  return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v) };
}

/** Someone shown as typing in a chat. */
export interface TypingPerson {
  readonly accountId: AccountId;
  readonly username: string;
}

interface Shown {
  readonly person: TypingPerson;
  readonly sentAt: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * `client.typing`: typing indicators (docs/PROTOCOL.md "Typing frame"). `set` reports this device's
 * typing in a chat (throttled: "typing" at most every TYPING_RESEND_MS, one "stopped" when it stops);
 * `who` says who is typing in a chat now. Frames go over the realtime socket only: with it closed, or the
 * setting off, nothing is sent (never queued) and nothing is shown.
 *
 * Events: "change" whenever `who` may answer differently, or `enabled` changed.
 */
export class TypingFacade extends EventTarget {
  private readonly keys = new TypingKeys();
  private readonly storage: SettingStorage;
  /** When this device last sent "typing" per chat; absent once "stopped" went out (or nothing did). */
  private readonly sentTyping = new Map<ConversationId, number>();
  /** Who is shown typing, per chat, by sending device. */
  private readonly shown = new Map<ConversationId, Map<string, Shown>>();
  /** The newest frame time accepted per device, so a late or replayed older frame changes nothing. */
  private readonly newest = new Map<string, number>();
  /** Frames go out in the order they were asked for, though each is sealed asynchronously. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ClientContext,
    private readonly realtime: RealtimeConnection | undefined,
    o: { storage?: SettingStorage } = {},
  ) {
    super();
    this.storage = o.storage ?? defaultStorage();
    realtime?.addEventListener("frame", (e) => this.onFrame((e as FrameEvent).frame));
  }

  /** Whether this device sends and shows typing indicators (Settings; on unless turned off here). */
  get enabled(): boolean {
    // Read each time: another tab of this device may have changed it.
    return this.storage.getItem(TYPING_SETTING_KEY) !== "off";
  }

  setEnabled(on: boolean): void {
    if (!on) {
      // Say "stopped" while still allowed to, so nobody sees this device typing for 5 more seconds.
      for (const id of [...this.sentTyping.keys()]) this.set(id, false);
      this.clearShown();
    }
    this.storage.setItem(TYPING_SETTING_KEY, on ? "on" : "off");
    this.dispatchEvent(new Event("change"));
  }

  /** Reports whether this device is typing in a chat (call on every input; it throttles). */
  set(conversationId: ConversationId, typing: boolean): void {
    const last = this.sentTyping.get(conversationId);
    if (!typing) {
      if (last === undefined) return;
      this.sentTyping.delete(conversationId);
      this.send(conversationId, "stopped");
      return;
    }
    if (!this.enabled || this.realtime?.state !== "open") return;
    const now = this.ctx.now();
    if (last !== undefined && now - last < TYPING_RESEND_MS) return;
    this.sentTyping.set(conversationId, now);
    this.send(conversationId, "typing");
  }

  /** Who is typing in a chat now, in the order they started; never this account. */
  who(conversationId: ConversationId): readonly TypingPerson[] {
    if (!this.enabled) return [];
    const people = new Map<AccountId, TypingPerson>();
    for (const s of this.shown.get(conversationId)?.values() ?? []) people.set(s.person.accountId, s.person);
    return [...people.values()];
  }

  /** Stops every timer (the client is stopping). */
  stop(): void {
    this.clearShown();
    this.sentTyping.clear();
  }

  private send(conversationId: ConversationId, state: TypingStateName): void {
    const realtime = this.realtime;
    if (!realtime || realtime.state !== "open") return;
    this.sending = this.sending
      .then(async () => {
        const frame = await sealTyping(this.ctx, this.keys, conversationId, state);
        if (frame) realtime.send({ type: "typing", conversationId, frame });
      })
      .catch((e: unknown) => console.warn("typing frame not sent:", e));
  }

  private onFrame(frame: RealtimeServerFrame): void {
    if (frame.type === "typing" && this.enabled) void this.receive(frame);
    // A new socket: frames may have been missed, "stopped" ones too; let what is shown expire.
  }

  private async receive(relayed: { conversationId: ConversationId; frame: string }): Promise<void> {
    let t;
    try {
      t = await openTyping(this.ctx, this.keys, relayed);
    } catch (e) {
      console.warn("typing frame dropped:", e);
      return;
    }
    const device = `${t.accountId}/${t.deviceId}`;
    if ((this.newest.get(device) ?? -1) >= t.sentAt) return;
    this.newest.set(device, t.sentAt);
    // openTyping checked the sender against the epoch and its log, so a contact row exists for it.
    const username = t.state === "typing" ? (await getContact(this.ctx.db, t.accountId))?.username : undefined;
    // Checked again after the awaits: a newer frame from the device may have been applied meanwhile.
    if (this.newest.get(device) !== t.sentAt || !this.enabled) return;
    const chat = this.shown.get(t.conversationId) ?? new Map<string, Shown>();
    this.shown.set(t.conversationId, chat);
    const before = chat.get(device);
    if (before) clearTimeout(before.timer);
    chat.delete(device);
    if (username !== undefined) {
      const timer = setTimeout(() => this.expire(t.conversationId, device, timer), TYPING_SHOWN_MS);
      chat.set(device, { person: { accountId: t.accountId, username }, sentAt: t.sentAt, timer });
    }
    this.dispatchEvent(new Event("change"));
  }

  private expire(conversationId: ConversationId, device: string, timer: ReturnType<typeof setTimeout>): void {
    const chat = this.shown.get(conversationId);
    if (chat?.get(device)?.timer !== timer) return;
    chat.delete(device);
    this.dispatchEvent(new Event("change"));
  }

  private clearShown(): void {
    for (const chat of this.shown.values()) for (const s of chat.values()) clearTimeout(s.timer);
    this.shown.clear();
  }
}
