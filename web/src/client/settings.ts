/**
 * Per-device settings (docs/decisions.md "Receipts and unread"): kept in localStorage under
 * `sealed-setting:<name>`, read synchronously (the first render already knows them), never synced to
 * other devices. Where localStorage does not exist (Node tests, the headless client) they live in memory.
 */
const PREFIX = "sealed-setting:";

/** The settings this version knows, with their defaults. */
const DEFAULTS = { "read-receipts": true } as const;
export type SettingName = keyof typeof DEFAULTS;

/** What of the Web Storage API the settings use. */
export type SettingStorage = Pick<Storage, "getItem" | "setItem">;

function memoryStorage(): SettingStorage {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

function defaultStorage(): SettingStorage {
  return typeof localStorage === "undefined" ? memoryStorage() : localStorage;
}

/** `client.settings`: on/off switches of this device. Fires "change" when one is set. */
export class DeviceSettings extends EventTarget {
  constructor(private readonly storage: SettingStorage = defaultStorage()) {
    super();
  }

  /** Whether `name` is on; anything but "on"/"off" stored there (another script of the origin) is the default. */
  get(name: SettingName): boolean {
    let raw: string | null = null;
    try {
      raw = this.storage.getItem(PREFIX + name);
    } catch {
      // Storage disabled by the browser: the default applies.
    }
    return raw === "on" ? true : raw === "off" ? false : DEFAULTS[name];
  }

  set(name: SettingName, on: boolean): void {
    try {
      this.storage.setItem(PREFIX + name, on ? "on" : "off");
    } catch (e) {
      console.warn(`could not keep the setting ${name}:`, e);
    }
    this.dispatchEvent(new Event("change"));
  }

  /** "Send and show read receipts" (on by default). */
  get readReceipts(): boolean {
    return this.get("read-receipts");
  }

  set readReceipts(on: boolean) {
    this.set("read-receipts", on);
  }
}
