/**
 * A thin client for the HTTP API that works in every test runtime: pass workerd's
 * `exports.default.fetch`, Node's global fetch against `wrangler dev`, or anything with that shape.
 */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<Response>;

export interface CallOptions {
  /** Sent as the JSON body with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** A raw body, sent as is (for malformed-body tests). */
  readonly body?: string;
  /** `name=value` of the session cookie. */
  readonly cookie?: string;
  /** Extra or overriding headers; `Origin: ""` style overrides replace the default origin. */
  readonly headers?: Record<string, string>;
  /** Leave out the Origin header entirely. */
  readonly noOrigin?: boolean;
}

export interface ApiClient {
  /** The server origin (scheme://host[:port]); every request carries it as Origin, as a browser does. */
  readonly origin: string;
  call(method: string, path: string, options?: CallOptions): Promise<Response>;
}

export function apiClient(origin: string, fetchLike: FetchLike): ApiClient {
  return {
    origin,
    call(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (!o.noOrigin) headers["Origin"] = origin;
      if (o.cookie !== undefined) headers["Cookie"] = o.cookie;
      let body = o.body;
      if (o.json !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(o.json);
      }
      Object.assign(headers, o.headers);
      return fetchLike(origin + path, body === undefined ? { method, headers } : { method, headers, body });
    },
  };
}

/** `name=value` of the first Set-Cookie of a response, ready for a Cookie header. */
export function cookieFrom(res: Response): string | undefined {
  const header = res.headers.get("set-cookie");
  return header?.split(";")[0]?.trim();
}
