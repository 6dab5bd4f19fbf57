// What a signed-up browser keeps in IndexedDB: every CryptoKey non-extractable, and the private keys the
// design names (DSK, DBK, VK, and usable copies of AIK and AHK) all present, also after a restart.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, expect, inject, test } from "vitest";
import { sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchPersistent } from "./harness";

interface FoundKey {
  db: string;
  store: string;
  path: string;
  algorithm: string;
  type: string;
  extractable: boolean;
  usages: string[];
}

/**
 * Walks every object store of every IndexedDB database of the origin and reports each CryptoKey found
 * anywhere inside a row. Passed as source text so no test-runner helper leaks into the page.
 */
const WALK_KEYS = `(async () => {
  const out = [];
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  for (const info of await indexedDB.databases()) {
    const db = await request(indexedDB.open(info.name));
    for (const store of Array.from(db.objectStoreNames)) {
      const rows = await request(db.transaction(store).objectStore(store).getAll());
      const walk = (v, path) => {
        if (v instanceof CryptoKey) out.push({ db: info.name, store, path, algorithm: v.algorithm.name, type: v.type, extractable: v.extractable, usages: [...v.usages].sort() });
        else if (v && typeof v === "object" && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) for (const [k, x] of Object.entries(v)) walk(x, path + "." + k);
      };
      rows.forEach((row, i) => walk(row, String(i)));
    }
    db.close();
  }
  return out;
})()`;

async function keysIn(page: Page): Promise<FoundKey[]> {
  return (await page.evaluate(WALK_KEYS)) as FoundKey[];
}

const dirs: string[] = [];
const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function person(): Promise<{ page: Page; dir: string; context: BrowserContext }> {
  const dir = mkdtempSync(join(tmpdir(), "sealed-keys-"));
  dirs.push(dir);
  const context = await launchPersistent(dir);
  contexts.push(context);
  return { page: context.pages()[0] ?? (await context.newPage()), dir, context };
}

const summary = (k: FoundKey) => `${k.store}:${k.path.replace(/^\d+\./, "")} ${k.algorithm} ${k.type} [${k.usages.join(",")}]`;

test("every CryptoKey in IndexedDB is non-extractable, and the device and account private keys are all there", async () => {
  const baseURL = inject("baseURL");
  const carol = await person();
  const dave = await person();
  const carolName = uniqueName("carol");
  const daveName = uniqueName("dave");
  await signUpViaUi(carol.page, baseURL, carolName);
  await signUpViaUi(dave.page, baseURL, daveName);
  // A conversation adds epoch keys (CK) to the store as well.
  await startChatViaUi(carol.page, daveName);
  await sendViaUi(carol.page, "a message so an epoch key exists");
  await waitForHistory(carol.page, ["a message so an epoch key exists"]);

  const check = async (page: Page) => {
    const keys = await keysIn(page);
    expect(keys.filter((k) => k.extractable).map(summary)).toEqual([]);
    const names = keys.map(summary);
    expect(names).toEqual(
      expect.arrayContaining([
        "device:signingKey Ed25519 private [sign]", // DSK
        "device:boxKey X25519 private [deriveBits]", // DBK
        "device:vaultKey AES-GCM secret [unwrapKey,wrapKey]", // VK
        "account:identityKey Ed25519 private [sign]", // AIK, usable copy
        "account:historyKey X25519 private [deriveBits]", // AHK generation 0, usable copy
        "epochs:ck AES-GCM secret [decrypt,encrypt]", // CK of epoch 0
      ]),
    );
    // Nothing else holds a key: no stray extractable originals under other names.
    expect(new Set(keys.map((k) => `${k.store}:${k.path.replace(/^\d+\./, "")}`))).toEqual(
      new Set(["device:signingKey", "device:boxKey", "device:vaultKey", "account:identityKey", "account:historyKey", "epochs:ck"]),
    );
  };
  await check(carol.page);

  // After a browser restart the keys come back, still non-extractable.
  await carol.context.close();
  contexts.splice(contexts.indexOf(carol.context), 1);
  const again = await launchPersistent(carol.dir);
  contexts.push(again);
  const page = again.pages()[0] ?? (await again.newPage());
  await page.goto(baseURL);
  await page.getByTestId("my-username").filter({ hasText: carolName }).waitFor();
  await check(page);
});
