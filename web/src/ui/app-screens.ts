import type { ScreenLoader } from "./screen-loads.js";

/*
 * What <sealed-app> loads on demand besides the rare screens of screens.ts (docs/decisions.md "The app
 * shell holds the first screen"): its own file, because sealed-main.ts imports screens.ts and a loader of
 * sealed-main.ts there would make an import cycle.
 */

/**
 * Everything of a signed-in device: the chat list, the chat view and its dialogs, the banners. The client
 * loads alongside (ui/app-client.ts); <sealed-app> starts both as soon as it finds a local store.
 */
export const mainScreen: ScreenLoader = () => import("./sealed-main.js");
/** The banner shown when the server refuses this device (only possible once the client is running). */
export const refusedBanner: ScreenLoader = () => import("./sealed-refused.js");
