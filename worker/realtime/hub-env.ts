import type { RealtimeServerFrame } from "../../protocol/api.js";
import type { HubPushEnv } from "../push/hub-message-push.js";
import type { StorageBindings } from "./hub-stores.js";

/**
 * What a hub may ask of another account's hub. Declared here rather than through the AccountHub class so
 * the hub's own bindings do not name its class (worker/env.ts does, and an import cycle would follow).
 */
export interface HubPeer extends Rpc.DurableObjectBranded {
  broadcast(frame: RealtimeServerFrame): number;
}

/** The bindings a hub reads (wrangler.toml): storage, to check membership, the other hubs, and Web Push's settings. */
export interface HubBindings extends StorageBindings, HubPushEnv {
  readonly ACCOUNT_HUB: DurableObjectNamespace<HubPeer>;
}
