import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { apiClient } from "../support/api-client.js";

/** Requests go straight into the worker's fetch handler inside workerd, with real D1 behind it. */
export const ORIGIN = "http://example.com";
export const api = apiClient(ORIGIN, (url, init) => exports.default.fetch(url, init));
/** The same worker seen over https, where the session cookie takes the __Host- prefix. */
export const httpsApi = apiClient("https://example.com", (url, init) => exports.default.fetch(url, init));

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
