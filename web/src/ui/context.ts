import { createContext } from "@lit/context";
import type { ChatClient, DeviceStatus, SyncStatus } from "../client/index.js";

/**
 * The shared client, provided once by <sealed-app> and consumed by any component below it (through
 * shadow roots), instead of a `.client` property handed down every level.
 */
export const clientContext = createContext<ChatClient>(Symbol("sealed-client"));

/**
 * Whether the server lets this device in (ChatClient's deviceStatus), provided by <sealed-app> so a
 * screen can stop showing network failures that the refusal banner already explains.
 */
export const deviceStatusContext = createContext<DeviceStatus>(Symbol("sealed-device-status"));

/** The sync loop's state as the connection pill, the offline notice and an open chat read it. */
export interface SyncState {
  readonly status: SyncStatus;
  /** True while the realtime socket is open (pushes arrive without polling). */
  readonly live: boolean;
}

/** Provided by <sealed-app>, updated on every "status" event of the client's sync loop. */
export const syncContext = createContext<SyncState>(Symbol("sealed-sync"));
