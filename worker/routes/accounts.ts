import { Hono } from "hono";
import type { z } from "zod";
import { USERNAME_RULE, signUpRequest, type signUpResponse, type usernameAvailabilityResponse } from "../../protocol/api.js";
import { USERNAME_PATTERN } from "../../protocol/ids.js";
import { fromBase64url } from "../../protocol/bytes.js";
import { verifyLog } from "../../protocol/device-log.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict } from "../errors.js";
import { limitAvailability, limitSignUp } from "../http/auth-limits.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";

/**
 * Sign-up: the client made every key and signed the genesis itself; the server checks the genesis
 * verifies as a one-entry log (so the account id is its hash) and that it names the requested username.
 * Limited per client address before anything is read, so refused and malformed attempts count too.
 */
export async function signUp(c: Ctx) {
  await limitSignUp(c);
  const body = await readJson(c, signUpRequest);
  const genesis = fromBase64url(body.genesis);
  const state = await decodeOr("invalid_genesis", () => verifyLog(cryptoEnv, [genesis]));
  if (state.username !== body.username) throw new BadRequest("invalid_genesis", `the genesis is for username ${state.username}, not ${body.username}`);
  const device = state.devices[0];
  if (!device) throw new BadRequest("invalid_genesis", "the genesis names no device");
  const result = await c.var.stores.accounts.create({
    accountId: state.accountId,
    username: state.username,
    genesis,
    device: { deviceId: device.deviceId, signingKey: device.signingKey, boxKey: device.boxKey },
    createdAt: Date.now(),
  });
  if (result === "username_taken") throw new Conflict("username_taken", `username ${body.username} is taken`);
  if (result === "device_exists") throw new Conflict("device_exists", "this device key is already registered");
  return c.json({ accountId: state.accountId } satisfies z.output<typeof signUpResponse>, 201);
}

/**
 * GET /api/usernames/:username: whether a sign-up can take the name, asked before the keys are made so a
 * taken name is a 200 answer, not a 409 the browser logs as an error. Anonymous like sign-up, and limited
 * per client address like it (its own count, higher: a person may try a few names), so it is no cheaper a
 * way to list who uses which name than sign-up itself.
 */
export async function usernameAvailability(c: Ctx) {
  await limitAvailability(c);
  const username = (c.req.param("username") ?? "").toLowerCase();
  if (!USERNAME_PATTERN.test(username)) throw new BadRequest("invalid_query", `username: ${USERNAME_RULE}`);
  const taken = (await c.var.stores.directory.findByUsername(username)) !== undefined;
  return c.json({ username, available: !taken } satisfies z.output<typeof usernameAvailabilityResponse>);
}

export const accountRoutes = new Hono<AppEnv>().post("/accounts", signUp).get("/usernames/:username", usernameAvailability);
