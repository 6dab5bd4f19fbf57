import type { RealtimeServerFrame } from "../../protocol/api.js";
import type { StorageBindings } from "./hub-stores.js";

/**
 * What a hub may ask of another account's hub. Declared here rather than through the AccountHub class so
 * the hub's own bindings do not name its class (worker/env.ts does, and an import cycle would follow).
 */
export interface HubPeer extends Rpc.DurableObjectBranded {
  broadcast(frame: RealtimeServerFrame): number;
}

/** The bindings a hub reads (wrangler.toml): storage, to check membership, and the other hubs. */
export interface HubBindings extends StorageBindings {
  readonly ACCOUNT_HUB: DurableObjectNamespace<HubPeer>;
}
