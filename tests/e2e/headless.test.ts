// The headless client (docs/HEADLESS-CLIENT.md): it loads in plain Node without DOM globals, and the echo bot
// of the doc works against the real server, with a second headless client as the person it talks to.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, expect, inject, test } from "vitest";
import { createHeadlessClient, type HeadlessClient } from "../../web/src/client/headless.js";
import { messageViews } from "../../web/src/client/views/views.js";
import { uniqueName } from "./app";

const baseURL = inject("baseURL");
const repo = resolve(import.meta.dirname, "../..");
const clients: HeadlessClient[] = [];

afterAll(() => {
  for (const c of clients) c.close();
});

test("the module loads in plain Node (no vitest, no DOM globals) and makes a client", async () => {
  // Inside node_modules so its imports (dexie, ws, fake-indexeddb...) resolve as they would for a script here.
  const dir = join(repo, "node_modules/.cache/headless-check");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, "headless.mjs");
  await build({ entryPoints: [join(repo, "web/src/client/headless.ts")], bundle: true, platform: "node", format: "esm", packages: "external", outfile: out, logLevel: "warning" });
  const script = `
    const m = await import(${JSON.stringify(out)});
    const before = [typeof window, typeof document, typeof location, typeof navigator];
    const h = m.createHeadlessClient({ baseURL: ${JSON.stringify(baseURL)} });
    const ok = await fetch(${JSON.stringify(baseURL)} + "/api/health").then((r) => r.status);
    console.log(JSON.stringify({ before, hasAccount: await h.client.hasAccount(), ok }));
    h.close();`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  rmSync(dir, { recursive: true, force: true });
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout.trim())).toEqual({ before: ["undefined", "undefined", "undefined", "undefined"], hasAccount: false, ok: 200 });
});

test("the echo bot of docs/HEADLESS-CLIENT.md answers each message once", { timeout: 120_000 }, async () => {
  const aliceName = uniqueName("alice");
  const botName = uniqueName("echobot");
  const alice = createHeadlessClient({ baseURL });
  clients.push(alice);
  await alice.client.signUp(aliceName);

  // The bot, as in the doc.
  const bot = createHeadlessClient({ baseURL });
  clients.push(bot);
  const { client, realtime } = bot;
  expect(await client.signUp(botName)).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
  const chat = await client.startChat(aliceName);
  await client.send(chat, "Hello! I repeat what you say.");
  const answered = new Set<string>();
  realtime?.addEventListener("frame", async () => {
    await client.sync.settled();
    for (const m of await messageViews(client.db, chat)) {
      if (m.mine || answered.has(m.key)) continue;
      answered.add(m.key);
      await client.send(chat, `you said: ${m.text}`);
    }
  });

  const texts = async () => (await messageViews(alice.client.db, chat)).map((m) => `${m.mine ? "me" : "bot"}: ${m.text}`);
  await expect.poll(texts, { timeout: 30_000 }).toEqual(["bot: Hello! I repeat what you say."]);
  await alice.client.openConversation(chat);
  await alice.client.send(chat, "one");
  await expect.poll(texts, { timeout: 30_000 }).toHaveLength(3);
  await alice.client.send(chat, "two");
  await expect.poll(texts, { timeout: 30_000 }).toHaveLength(5);
  // Room for a double answer to show up before checking there is none.
  await new Promise((r) => setTimeout(r, 1500));
  expect(await texts()).toEqual(["bot: Hello! I repeat what you say.", "me: one", "bot: you said: one", "me: two", "bot: you said: two"]);
});
