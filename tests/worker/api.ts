import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createApp } from "../../worker/app.js";
import { apiClient } from "../support/api-client.js";

/**
 * Requests go into the worker's app inside workerd, with real D1 and Durable Objects behind it, through
 * directFetch (below) rather than exports.default.fetch, which slows down with every call.
 */
export const ORIGIN = "http://example.com";
export const api = apiClient(ORIGIN, (url, init) => directFetch(url, init));
/** The same worker seen over https, where the session cookie takes the __Host- prefix. */
export const httpsApi = apiClient("https://example.com", (url, init) => directFetch(url, init));

/** Asserts an error response: status, JSON content type and `{error:{code,message}}` with a message. */
export async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.message;
}

const app = createApp();

/**
 * The same app as the worker's entry (worker/index.ts exports createApp()), called directly with the
 * test env and a fresh execution context whose waitUntil work is awaited. For suites that send
 * thousands of requests: in vitest-pool-workers 0.15.1 every exports.default.fetch call makes the next
 * one slower (measured here: /api/health from 0.2 ms to over 100 ms a call after 300 calls; known as
 * cloudflare/workers-sdk#15446, still open), while this stays flat.
 */
export async function directFetch(url: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
