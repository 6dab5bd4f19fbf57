import { Hono } from "hono";
import type { AppEnv } from "../env.js";

/**
 * The share target's action (manifest.webmanifest `share_target`) when no service worker answers it: the
 * app was installed but its worker is gone (site data cleared) or not active yet. The browser then POSTs
 * the shared files here; the server never takes them (they would be plaintext), and sends the person to
 * the app instead of an error page. wrangler.toml runs the worker first for /share so this is reached.
 */
export const shareFallbackRoutes = new Hono<AppEnv>().all("/share", (c) => c.redirect("/", 303));
