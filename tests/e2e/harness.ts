// Shared e2e helpers: Debian's Chromium through playwright-core, and raw reads of server storage.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// No sandbox: we run as root in containers. The rest stops Chromium from talking to Google mid-test.
// English whatever the machine's language: the app follows navigator.languages (issue 21) and the suite
// finds things by their English names; a test wants German through the context's `locale` option.
const chromiumArgs = [
  "--lang=en-US",
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A fake microphone (and camera) that needs no permission prompt: getUserMedia gets a generated tone.
 * Audio may start without a fresh user gesture, since on a loaded machine the file a Play click fetches
 * and decrypts can outlast the click's transient activation.
 */
export const fakeMediaArgs = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"];

/** `extraArgs` is for things like the fake camera flags. */
export function launchBrowser(extraArgs: string[] = [], options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ ...options, executablePath: chromiumPath, args: [...chromiumArgs, ...extraArgs] });
}

/** A browser whose profile (IndexedDB, service worker) lives in `userDataDir` and survives a relaunch. */
export function launchPersistent(
  userDataDir: string,
  extraArgs: string[] = [],
  options: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    ...options,
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...extraArgs],
  });
}

export interface StoredFile {
  path: string;
  bytes: Buffer;
}

/**
 * Every SQLite database file the local server wrote under `persistDir`: D1 at v3/d1/..., Durable
 * Objects at v3/do/..., R2's metadata at v3/r2/miniflare-R2BucketObject/.... Recent writes may sit only
 * in the -wal file, so those are included. So are R2's object bytes (v3/r2/<bucket>/blobs/<hash>, no
 * extension): attachment ciphertext must be scanned too.
 */
export function readServerStorage(persistDir: string): StoredFile[] {
  const out: StoredFile[] = [];
  const read = (p: string): void => {
    try {
      out.push({ path: p, bytes: readFileSync(p) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      // The server is running: SQLite checkpoints a -wal file into its database and deletes it, which
      // can happen between listing and reading (a Durable Object closing). Its writes are in the database
      // file now: read that again. Any other file must still be there.
      const db = p.replace(/-wal$/, "");
      if (db === p) throw e;
      out.push({ path: db, bytes: readFileSync(db) });
    }
  };
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.sqlite(-wal)?$/.test(e.name) || /\/v3\/r2\/[^/]+\/blobs\//.test(p)) read(p);
    }
  };
  walk(persistDir);
  return out;
}

/** Paths of the stored files that contain `needle` (a string is searched as UTF-8). */
export function findInServerStorage(persistDir: string, needle: string | Uint8Array): string[] {
  const n = typeof needle === "string" ? Buffer.from(needle, "utf8") : Buffer.from(needle);
  return readServerStorage(persistDir)
    .filter((f) => f.bytes.includes(n))
    .map((f) => f.path);
}
