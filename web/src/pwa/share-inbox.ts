/**
 * Files and text shared to the installed app from another app (manifest `share_target`, issue 18). The
 * service worker receives the POST to /share and keeps what it carried here, in Cache Storage (docs/
 * decisions.md "Share target inbox"), under a random id; the page opened at `/?share=<id>` reads it, lets
 * the person pick a chat, and drops it. Plain checks rather than zod, so the service worker stays small:
 * both sides run this file.
 */

export const SHARE_CACHE = "sealed-share-inbox";
/** The form fields (manifest.webmanifest share_target.params). */
export const SHARE_FILES_FIELD = "files";
/** Shares not picked up within this long are deleted when the next one arrives. */
const SHARE_TTL_MS = 24 * 60 * 60 * 1000;
/** At most this many files of one share are kept (a share sheet sends a handful; this bounds the cache). */
export const MAX_SHARED_FILES = 20;
const MAX_TEXT = 16 * 1024;
const ID = /^[A-Za-z0-9_-]{16,64}$/;

/** What a share carried, as the page reads it back. */
export interface SharedItems {
  readonly files: File[];
  /** Title, text and URL joined by line breaks ("" when none were shared). */
  readonly text: string;
}

interface ShareMeta {
  readonly at: number;
  readonly text: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly type: string }>;
}

export function isShareId(s: unknown): s is string {
  return typeof s === "string" && ID.test(s);
}

function key(id: string, part: string): string {
  return `/__share-inbox/${id}/${part}`;
}

function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v.trim().slice(0, MAX_TEXT) : "";
}

/** Service worker: keeps what the form carried; returns its id. Shares older than SHARE_TTL_MS are deleted. */
export async function storeShare(form: FormData, now = Date.now()): Promise<string> {
  const cache = await caches.open(SHARE_CACHE);
  await dropOldShares(cache, now);
  const id = randomId();
  const files = form
    .getAll(SHARE_FILES_FIELD)
    .filter((f): f is File => typeof f !== "string")
    .slice(0, MAX_SHARED_FILES);
  // The text fields, each once: a link shared from a browser often repeats the URL in the text.
  const parts = [...new Set([field(form, "title"), field(form, "text"), field(form, "url")].filter((t) => t !== ""))];
  const meta: ShareMeta = { at: now, text: parts.join("\n"), files: files.map((f) => ({ name: f.name, type: f.type })) };
  for (const [i, f] of files.entries()) await cache.put(key(id, String(i)), new Response(f));
  await cache.put(key(id, "meta"), new Response(JSON.stringify(meta), { headers: { "Content-Type": "application/json" } }));
  return id;
}

async function dropOldShares(cache: Cache, now: number): Promise<void> {
  for (const req of await cache.keys()) {
    if (!req.url.endsWith("/meta")) continue;
    const meta = parseMeta(await (await cache.match(req))?.json().catch(() => undefined));
    if (meta && now - meta.at < SHARE_TTL_MS) continue;
    const id = /\/__share-inbox\/([^/]+)\/meta$/.exec(new URL(req.url).pathname)?.[1];
    if (id) await dropShareIn(cache, id);
  }
}

function parseMeta(v: unknown): ShareMeta | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (typeof m["at"] !== "number" || typeof m["text"] !== "string" || !Array.isArray(m["files"])) return undefined;
  const files = m["files"] as unknown[];
  if (files.length > MAX_SHARED_FILES) return undefined;
  const ok = files.every((f) => typeof f === "object" && f !== null && typeof (f as { name?: unknown }).name === "string" && typeof (f as { type?: unknown }).type === "string");
  if (!ok) return undefined;
  return { at: m["at"], text: m["text"].slice(0, MAX_TEXT), files: files as ShareMeta["files"] };
}

/** Page: what share `id` carried, or undefined when it is unknown (already picked up, or expired). */
export async function readShare(id: string): Promise<SharedItems | undefined> {
  if (!isShareId(id) || typeof caches === "undefined") return undefined;
  const cache = await caches.open(SHARE_CACHE);
  const meta = parseMeta(await (await cache.match(key(id, "meta")))?.json().catch(() => undefined));
  if (!meta) return undefined;
  const files: File[] = [];
  for (const [i, f] of meta.files.entries()) {
    const res = await cache.match(key(id, String(i)));
    if (!res) continue;
    files.push(new File([await res.blob()], f.name || `shared-file-${i + 1}`, { type: f.type }));
  }
  return { files, text: meta.text };
}

/** Page: forgets share `id` (sent to a chat, or dismissed). */
export async function dropShare(id: string): Promise<void> {
  if (!isShareId(id) || typeof caches === "undefined") return;
  await dropShareIn(await caches.open(SHARE_CACHE), id);
}

async function dropShareIn(cache: Cache, id: string): Promise<void> {
  for (const req of await cache.keys()) {
    if (new URL(req.url).pathname.startsWith(`/__share-inbox/${id}/`)) await cache.delete(req);
  }
}
