// The client core outside a browser (docs/HEADLESS-CLIENT.md): a real ChatClient for Node, for bots,
// scripts, load generators and tests that act as real users against a real server. Nothing here touches
// DOM globals at import time; the app never imports this file.
import { IDBKeyRange as FakeKeyRange, indexedDB as fakeIndexedDB } from "fake-indexeddb";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import WebSocket from "ws";
import { Api, type FetchFn } from "./transport/api.js";
import { ChatClient, type ClientOptions } from "./client.js";
import { SealedDb } from "./store/db.js";
import { LinkApi } from "./transport/link-api.js";
import { RealtimeConnection, realtimeUrl, type SocketLike } from "./transport/realtime.js";
import { RecoveryApi } from "./transport/recovery-api.js";

/**
 * One client's cookies, as a browser profile keeps them: set from Set-Cookie, sent back on every
 * request to the one origin the client talks to, dropped at Max-Age/Expires (or Max-Age=0).
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Takes the Set-Cookie headers of a response. */
  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expiresAt = Number.POSITIVE_INFINITY;
      let maxAgeSeen = false;
      for (const attr of attrs) {
        const [k = "", v = ""] = attr.split("=").map((s) => s.trim());
        if (k.toLowerCase() === "max-age" && /^-?\d+$/.test(v)) {
          // Max-Age wins over Expires (RFC 6265 section 5.3).
          maxAgeSeen = true;
          expiresAt = this.now() + Number(v) * 1000;
        } else if (k.toLowerCase() === "expires" && !maxAgeSeen) {
          const t = Date.parse(attr.slice(attr.indexOf("=") + 1).trim());
          if (Number.isFinite(t)) expiresAt = t;
        }
      }
      if (expiresAt <= this.now()) this.cookies.delete(name);
      else this.cookies.set(name, { value, expiresAt });
    }
  }

  /** The Cookie header for the next request, or undefined when there is none. */
  header(): string | undefined {
    const now = this.now();
    const parts: string[] = [];
    for (const [name, c] of this.cookies) {
      if (c.expiresAt <= now) this.cookies.delete(name);
      else parts.push(`${name}=${c.value}`);
    }
    return parts.length ? parts.join("; ") : undefined;
  }

  clear(): void {
    this.cookies.clear();
  }
}

/**
 * Node's fetch as a browser page of `origin` would call its own server: the Origin header the server
 * checks on state-changing requests, and the jar's cookies (`credentials: "omit"` sends none, as a page's
 * fetch would).
 */
export function browserLikeFetch(origin: string, jar: CookieJar, fetchImpl: FetchFn = (i, init) => globalThis.fetch(i, init)): FetchFn {
  return async (input, init) => {
    const headers = new Headers(init.headers);
    headers.set("origin", origin);
    const cookie = init.credentials === "omit" ? undefined : jar.header();
    if (cookie) headers.set("cookie", cookie);
    const res = await fetchImpl(input, { ...init, headers, redirect: "manual" });
    if (init.credentials !== "omit") jar.store(res.headers.getSetCookie());
    return res;
  };
}

/**
 * fetch over node:http(s) from a chosen local address (Node's own fetch cannot pick one). Enough for the
 * API's JSON calls: a string body, the response read whole; `signal` aborts.
 */
export function fetchFrom(localAddress: string): FetchFn {
  const once = (input: string, init: RequestInit, retry: boolean): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(input);
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      const body = typeof init.body === "string" ? init.body : undefined;
      if (init.body != null && body === undefined) return reject(new TypeError("fetchFrom sends string bodies only"));
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(url, { method: init.method ?? "GET", headers, localAddress, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const h = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
          const status = res.statusCode ?? 0;
          const bytes = Buffer.concat(chunks);
          resolve(new Response(status === 204 || status === 304 ? null : bytes, { status, statusText: res.statusMessage ?? "", headers: h }));
        });
      });
      req.on("error", (e: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed just as it was reused: the request never reached it.
        if (retry && req.reusedSocket && e.code === "ECONNRESET") resolve(once(input, init, false));
        else reject(e);
      });
      req.end(body);
    });
  return (input, init) => once(input, init, true);
}

/** A `ws` socket behind the browser WebSocket surface RealtimeConnection uses, with cookies and Origin. */
export function wsSocketFactory(origin: string, jar: CookieJar, localAddress?: string): (url: string) => SocketLike {
  return (url) => {
    const headers: Record<string, string> = { origin };
    const cookie = jar.header();
    if (cookie) headers["cookie"] = cookie;
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    const socket: SocketLike = {
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
    };
    ws.on("open", () => socket.onopen?.(new Event("open")));
    // Text frames arrive as strings, as in a browser; binary ones stay bytes (the client ignores them).
    ws.on("message", (data, isBinary) => socket.onmessage?.(new MessageEvent("message", { data: isBinary ? data : data.toString() })));
    ws.on("error", () => socket.onerror?.(new Event("error")));
    ws.on("close", (code, reason) => socket.onclose?.(Object.assign(new Event("close"), { code, reason: reason.toString(), wasClean: code === 1000 })));
    // A refused upgrade (401, 403) is reported as an error and then a close, like a browser does.
    ws.on("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
    });
    return socket;
  };
}

export interface HeadlessOptions {
  /** The server, e.g. http://127.0.0.1:8787 (its origin is what login signs and Origin carries). */
  readonly baseURL: string;
  /** The IndexedDB database name: the same name in one process is the same device (default: a fresh one). */
  readonly dbName?: string;
  /** An IndexedDB implementation (default: fake-indexeddb, in memory: it lives as long as the process). */
  readonly indexedDB?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange };
  /** Keep the realtime socket and sync loop (default true); false for a client driven by `sync.syncNow()`. */
  readonly live?: boolean;
  /** Retry and poll timings (defaults: the browser's). */
  readonly syncTiming?: ClientOptions["syncTiming"];
  /** Reconnect delays of the realtime socket. */
  readonly reconnect?: { initialMs: number; maxMs: number };
  /**
   * The local address to connect from (HTTP over node:http and the socket), e.g. 127.0.0.5: many clients
   * of one process then count as different addresses for the server's per-address limits, as real
   * devices would. Default: the system's choice, HTTP over Node's fetch.
   */
  readonly localAddress?: string;
  /**
   * Send delivered and read marks by themselves, about a second after what calls for them (default true,
   * as the app does). False: only `client.receipts.flush()` sends them (a load fleet counting messages).
   */
  readonly receipts?: boolean;
}

export interface HeadlessClient {
  readonly client: ChatClient;
  /** This client's cookies (the session cookie is HttpOnly in a browser; here it is kept per client). */
  readonly jar: CookieJar;
  /** The realtime socket (undefined when `live` is false). */
  readonly realtime: RealtimeConnection | undefined;
  /** Stops the sync loop and closes the socket; the database stays open. */
  stop(): void;
  /** Stops and closes the database. */
  close(): void;
}

let counter = 0;

/** A ChatClient wired for Node: cookie jar, Origin header, `ws` for the realtime socket, in-memory IndexedDB. */
export function createHeadlessClient(o: HeadlessOptions): HeadlessClient {
  const origin = new URL(o.baseURL).origin;
  const jar = new CookieJar();
  const fetchFn = browserLikeFetch(origin, jar, o.localAddress ? fetchFrom(o.localAddress) : undefined);
  const idb = o.indexedDB ?? { indexedDB: fakeIndexedDB, IDBKeyRange: FakeKeyRange };
  const db = new SealedDb(o.dbName ?? `sealed-headless-${++counter}-${crypto.randomUUID()}`, idb);
  const live = o.live ?? true;
  const realtime = live ? new RealtimeConnection({ url: realtimeUrl(origin), createSocket: wsSocketFactory(origin, jar, o.localAddress), ...(o.reconnect ? { backoff: o.reconnect } : {}) }) : undefined;
  const client = new ChatClient({
    db,
    api: new Api(origin, fetchFn),
    origin,
    autoSync: live,
    ...(o.receipts === false ? { receiptDelayMs: null } : {}),
    realtime: realtime ?? null,
    recoveryApi: new RecoveryApi(origin, fetchFn),
    linkApi: new LinkApi(origin, fetchFn),
    ...(o.syncTiming ? { syncTiming: o.syncTiming } : {}),
  });
  return {
    client,
    jar,
    realtime,
    stop: () => client.stop(),
    close: () => {
      client.stop();
      db.close();
    },
  };
}
