import type { DeviceId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { listDevices, renameDevice, type DeviceView } from "../identity/devices.js";
import { checkOwnLog, lastOwnLogCheck, markDevicesSeen, ownLogAlarmNow, ownLogEvents, type OwnLogAlarm, type OwnLogCheck } from "../identity/own-log.js";
import { revokeDevice } from "../identity/revoke.js";

/**
 * `client.devices`: this account's devices as Settings shows them (list, rename, revoke) and the check
 * of the account's own device log that the banners report (DESIGN "Identity and devices").
 */
export class DevicesFacade {
  constructor(private readonly ctx: ClientContext) {}

  list(): Promise<DeviceView[]> {
    return listDevices(this.ctx);
  }

  rename(deviceId: DeviceId, name: string): Promise<void> {
    return renameDevice(this.ctx, deviceId, name);
  }

  /** Removes another device of this account: a revoke entry, new account keys sealed to the others. */
  revoke(deviceId: DeviceId): Promise<void> {
    return revokeDevice(this.ctx, deviceId);
  }

  /** The user reviewed the list: new devices up to now stop being announced. */
  markSeen(): Promise<void> {
    return markDevicesSeen(this.ctx);
  }

  /** Fetches and verifies the account's own log; a failure to verify becomes the lasting alarm. */
  checkOwnLog(): Promise<OwnLogCheck> {
    return checkOwnLog(this.ctx);
  }

  /** The latest check's result (kept in memory; "change" on `ownLogEvents` when it moves). */
  lastCheck(): OwnLogCheck {
    return lastOwnLogCheck();
  }

  /** The stored alarm, which outlives reloads until the user deals with it. */
  alarm(): OwnLogAlarm | undefined {
    return ownLogAlarmNow();
  }

  /** Fires "change" after every check. */
  get events(): EventTarget {
    return ownLogEvents;
  }
}
