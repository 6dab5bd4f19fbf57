// Realtime: each device holds one WebSocket to /api/realtime; a new chat and a new message appear on
// the other side while its page stays open, well before the 30 s safety-net poll would find them.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { decodeEnvelope, fromBase64url } from "../../protocol/index.js";
import { deviceIdentity } from "./group-helpers";
import { SHOTS, openProfile, waitForStatus, type Browser1 } from "./pwa-helpers";

const baseURL = inject("baseURL");
const dirs = [mkdtempSync(join(tmpdir(), "sealed-rt-a-")), mkdtempSync(join(tmpdir(), "sealed-rt-b-"))];
let alice: Browser1;
let bob: Browser1;
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
/** Frames Bob's page received on /api/realtime sockets, parsed, with the time they arrived. */
const bobFrames: Array<{ at: number; frame: { type: string; [k: string]: unknown } }> = [];
const bobSockets: string[] = [];
const bobRequests: Array<{ at: number; method: string; path: string }> = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  alice = await openProfile(dirs[0]!);
  bob = await openProfile(dirs[1]!);
  bob.page.on("websocket", (ws) => {
    bobSockets.push(ws.url());
    ws.on("framereceived", (f) => {
      if (typeof f.payload === "string") bobFrames.push({ at: Date.now(), frame: JSON.parse(f.payload) });
    });
  });
  bob.page.on("request", (r: Request) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/")) bobRequests.push({ at: Date.now(), method: r.method(), path: u.pathname });
  });
});

afterAll(async () => {
  await alice?.context.close();
  await bob?.context.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("realtime", () => {
  test("after sign-up the device holds one open socket to /api/realtime", async () => {
    await signUpViaUi(alice.page, baseURL, aliceName);
    await signUpViaUi(bob.page, baseURL, bobName);
    await expect.poll(() => bobFrames.some((f) => f.frame.type === "hello"), { timeout: 10_000 }).toBe(true);
    expect(bobSockets.every((u) => new URL(u).pathname === "/api/realtime")).toBe(true);
    expect(new Set(bobSockets).size).toBe(1);
    await waitForStatus(bob.page, "online");
    expect(await bob.page.getByTestId("connection-status").first().getAttribute("title")).toContain("arrive instantly");
  });

  test("a chat Alice starts appears in Bob's open list within 5 s", async () => {
    const t0 = Date.now();
    await startChatViaUi(alice.page, bobName);
    await bob.page.getByTestId("conversation-item").filter({ hasText: aliceName }).waitFor({ timeout: 5000 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(bobFrames.some((f) => f.frame.type === "conversation" && f.at >= t0)).toBe(true);
    await openChatViaUi(bob.page, aliceName);
    // Opening the chat catches up by itself (GET .../messages); let that finish before timing pushes.
    await expect.poll(() => Date.now() - (bobRequests.at(-1)?.at ?? 0) > 1000, { timeout: 10_000 }).toBe(true);
  });

  test("Alice's messages appear on Bob's open page within 5 s, pushed over the socket", async () => {
    const aliceId = (await deviceIdentity(alice.page)).accountId;
    const expected: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const text = `live ${i}`;
      const t0 = Date.now();
      await sendViaUi(alice.page, text);
      expected.push(text);
      await waitForHistory(bob.page, expected, 5000);
      expect(Date.now() - t0).toBeLessThan(5000);
      // Alice's message came by one push (Bob's own delivered and read marks, issue 17, are pushed back to
      // his devices too: they are not what this counts).
      const pushed = bobFrames.filter((f) => f.frame.type === "message" && f.at >= t0 && typeof f.frame["envelope"] === "string" && decodeEnvelope(fromBase64url(f.frame["envelope"])).header.senderAccountId === aliceId);
      expect(pushed.length).toBe(1);
      // Processed from the push itself: Bob fetched no message page for it.
      expect(bobRequests.filter((r) => r.at >= t0 && r.method === "GET" && r.path.endsWith("/messages"))).toEqual([]);
    }
    await bob.page.screenshot({ path: `${SHOTS}/realtime-bob.png` });
  });

  test("with the socket up, Bob polls only as a 30 s safety net", async () => {
    const t0 = Date.now();
    await bob.page.waitForTimeout(8000);
    const lists = bobRequests.filter((r) => r.at >= t0 && r.method === "GET" && r.path === "/api/conversations");
    // Without the socket the list is polled every 1.5 s (5 or more in 8 s).
    expect(lists.length).toBeLessThanOrEqual(1);
  });

  test("no page errors were thrown", () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
