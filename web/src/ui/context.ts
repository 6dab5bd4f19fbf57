import { createContext } from "@lit/context";
import type { ChatClient } from "../client/index.js";

/**
 * The shared client, provided once by <sealed-app> and consumed by any component below it (through
 * shadow roots), instead of a `.client` property handed down every level.
 */
export const clientContext = createContext<ChatClient>(Symbol("sealed-client"));
