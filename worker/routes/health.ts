import { Hono } from "hono";
import type { AppEnv, Ctx } from "../env.js";

/** Liveness for scripts and the e2e harness; touches no storage. */
export function health(c: Ctx) {
  return c.json({ ok: true });
}

export const healthRoutes = new Hono<AppEnv>().get("/health", health);
