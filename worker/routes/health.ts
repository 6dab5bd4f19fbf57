import { Hono } from "hono";
import type { AppEnv } from "../env.js";

/** Liveness for scripts and the e2e harness; touches no storage. */
export const healthRoutes = new Hono<AppEnv>().get("/health", (c) => c.json({ ok: true }));
