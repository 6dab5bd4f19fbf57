import type { MiddlewareHandler } from "hono";
import { storesOf } from "../db/d1-stores.js";
import type { AppEnv } from "../env.js";

/**
 * Makes the request's stores once and puts them on the context as `c.var.stores`: route handlers reach
 * storage only through these interfaces (worker/storage), never through a binding.
 */
export const stores: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("stores", storesOf(c.env));
  await next();
};
