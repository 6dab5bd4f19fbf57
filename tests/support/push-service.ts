// A push service for the worker tests (issue 19): a real HTTP server in Node that the worker, inside
// workerd, POSTs push messages to, as it would to FCM or Mozilla's autopush. Like a real push service it
// checks the VAPID Authorization (RFC 8292: ES256 signature with the key the subscription was made
// with, aud, exp, sub) and refuses what fails; like the browser behind it, it decrypts the body (RFC 8291)
// with the subscription's private key. Tests drive it through /_test/* (vitest globalSetup of
// vitest.worker.config.ts; its URL reaches the tests with provide/inject, tests/support/push-service-setup.ts).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fromBase64url, fromUtf8, toBase64url } from "../../protocol/bytes.js";
import { cryptoEnvFrom, type Key } from "../../protocol/subtle.js";
import { decryptPushPayload } from "../../protocol/web-push.js";
import type { PushBehavior, ReceivedPush } from "./push-service-types.js";

const env = cryptoEnvFrom(crypto);

interface Subscription {
  readonly applicationServerKey: string;
  readonly privateKey: Key;
  readonly p256dh: Uint8Array;
  readonly auth: Uint8Array;
  behavior: PushBehavior;
  readonly received: ReceivedPush[];
  readonly hanging: ServerResponse[];
}

const STATUS: Record<Exclude<PushBehavior, "hang">, number> = { accept: 201, gone: 410, fail: 500 };

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** RFC 8292 section 3: `vapid t=<JWT>, k=<key>`; checks the JWT against k and k against the subscription. */
async function checkVapid(header: string | undefined, sub: Subscription, origin: string): Promise<{ refusal?: string; claims?: ReceivedPush["claims"] }> {
  const m = /^vapid t=([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!m) return { refusal: `Authorization is not "vapid t=..., k=...": ${header}` };
  const [, h, c, s, k] = m as unknown as [string, string, string, string, string];
  if (k !== sub.applicationServerKey) return { refusal: "k is not the key the subscription was made with" };
  const jwtHeader = JSON.parse(fromUtf8(fromBase64url(h))) as { alg?: unknown; typ?: unknown };
  if (jwtHeader.alg !== "ES256") return { refusal: `alg ${String(jwtHeader.alg)} is not ES256` };
  const key = await env.subtle.importKey("raw", fromBase64url(k), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const signed = new TextEncoder().encode(`${h}.${c}`);
  if (!(await env.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, fromBase64url(s), signed))) return { refusal: "the JWT signature does not verify with k" };
  const claims = JSON.parse(fromUtf8(fromBase64url(c))) as { aud?: unknown; exp?: unknown; sub?: unknown };
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== origin) return { claims, refusal: `aud ${String(claims.aud)} is not ${origin}` };
  if (typeof claims.exp !== "number" || claims.exp <= now || claims.exp > now + 24 * 3600) return { claims, refusal: `exp ${String(claims.exp)} is not within 24 h from now` };
  if (typeof claims.sub !== "string" || !/^(mailto:|https:)/.test(claims.sub)) return { claims, refusal: `sub ${String(claims.sub)} is not a mailto: or https: URL` };
  return { claims };
}

async function receivePush(req: IncomingMessage, res: ServerResponse, sub: Subscription, origin: string): Promise<void> {
  const body = await readBody(req);
  const headers = {
    ttl: req.headers["ttl"] as string | undefined,
    contentEncoding: req.headers["content-encoding"],
    urgency: req.headers["urgency"] as string | undefined,
    contentType: req.headers["content-type"],
  };
  const vapid = await checkVapid(req.headers.authorization, sub, origin);
  let refusal = vapid.refusal;
  let plaintext: string | undefined;
  if (!refusal && headers.contentEncoding !== "aes128gcm") refusal = `Content-Encoding ${String(headers.contentEncoding)} is not aes128gcm`;
  if (!refusal && !/^\d+$/.test(headers.ttl ?? "")) refusal = "no TTL header (RFC 8030 section 5.2 requires it)";
  if (!refusal) {
    try {
      plaintext = fromUtf8(await decryptPushPayload(env, body, { privateKey: sub.privateKey, p256dh: sub.p256dh, auth: sub.auth }));
    } catch (e) {
      refusal = `the body does not decrypt: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const vapidKey = /, k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? "")?.[1];
  sub.received.push({ accepted: !refusal, ...(refusal ? { refusal } : {}), ...(plaintext !== undefined ? { plaintext } : {}), ...(vapid.claims ? { claims: vapid.claims } : {}), ...(vapidKey ? { vapidKey } : {}), headers });
  if (refusal) return json(res, refusal.startsWith("Content") || refusal.startsWith("no TTL") ? 400 : 403, { error: refusal });
  if (sub.behavior === "hang") {
    sub.hanging.push(res);
    return;
  }
  res.writeHead(STATUS[sub.behavior]).end();
}

/** A subscription as PushManager makes one: a fresh P-256 pair and auth secret, bound to the server's key. */
async function subscribe(applicationServerKey: string, behavior: PushBehavior): Promise<Subscription> {
  const pair = (await env.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"])) as { privateKey: Key; publicKey: Key };
  const p256dh = new Uint8Array((await env.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { applicationServerKey, privateKey: pair.privateKey, p256dh, auth: env.randomBytes(16), behavior, received: [], hanging: [] };
}

/**
 * Starts the push service on 127.0.0.1 at a free port; returns its origin and a stop function.
 * `onArrival` is called with the subscription id as soon as a push request's headers arrive (benchmarks);
 * `port` fixes the port (the worker tests name the origin in the workers' bindings before it starts).
 */
export async function startPushService(o: { onArrival?: (id: string, at: number) => void; port?: number } = {}): Promise<{ origin: string; stop(): Promise<void> }> {
  const subs = new Map<string, Subscription>();
  let origin = "";
  let next = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", origin);
      const parts = url.pathname.split("/").filter(Boolean);
      if (req.method === "POST" && parts[0] === "push" && parts.length === 2) {
        o.onArrival?.(parts[1]!, performance.now());
        const sub = subs.get(parts[1]!);
        return sub ? receivePush(req, res, sub, origin) : json(res, 404, { error: "no such subscription" });
      }
      if (parts[0] !== "_test") return json(res, 404, { error: "no such route" });
      if (req.method === "POST" && parts[1] === "subscriptions" && parts.length === 2) {
        const body = JSON.parse(fromUtf8(await readBody(req))) as { applicationServerKey: string; behavior?: PushBehavior };
        const id = `s${++next}`;
        const sub = await subscribe(body.applicationServerKey, body.behavior ?? "accept");
        subs.set(id, sub);
        return json(res, 201, { id, subscription: { endpoint: `${origin}/push/${id}`, keys: { p256dh: toBase64url(sub.p256dh), auth: toBase64url(sub.auth) } } });
      }
      const sub = parts[1] === "subscriptions" ? subs.get(parts[2] ?? "") : undefined;
      if (!sub) return json(res, 404, { error: "no such subscription" });
      if (req.method === "GET" && parts[3] === "received") return json(res, 200, { received: sub.received, hanging: sub.hanging.length });
      if (req.method === "PUT" && parts[3] === "behavior") {
        sub.behavior = (JSON.parse(fromUtf8(await readBody(req))) as { behavior: PushBehavior }).behavior;
        return json(res, 200, {});
      }
      if (req.method === "POST" && parts[3] === "release") {
        for (const held of sub.hanging.splice(0)) held.writeHead(201).end();
        return json(res, 200, {});
      }
      return json(res, 404, { error: "no such route" });
    })().catch((e: unknown) => json(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const sub of subs.values()) for (const held of sub.hanging.splice(0)) held.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
