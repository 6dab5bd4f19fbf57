// Figure 7: the app shell. JavaScript shipped, and start to interactive in Chromium, cold and from the
// service worker's cache.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser } from "../browser.js";
import { loadAverage } from "../machine.js";
import { attributeBundle } from "../bundle-attribution.js";
import { interactiveProbe, type InteractiveMark } from "../page/interactive-probe.js";
import type { Benchmark, Figure } from "../result.js";
import { startServer } from "../server.js";
import { median, round } from "../stats.js";
import { snapshotBuild } from "../web-build.js";

const COLD_RUNS = 11;
const WARM_RUNS = 11;
const WARMUP_RUNS = 2;

interface JsFile {
  readonly path: string;
  readonly bytes: number;
  readonly gzip: number;
}

function jsFiles(dir: string): JsFile[] {
  const out: JsFile[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(m?js)$/.test(e.name)) {
        const data = readFileSync(p);
        out.push({ path: relative(dir, p), bytes: data.length, gzip: gzipSync(data, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  return out;
}

/** Milestones of one start, ms from navigation start, to see where the time goes. */
interface Phases {
  /** The document's response has arrived (from the network or the service worker). */
  readonly documentEnd: number;
  /** The app bundle has arrived. */
  readonly scriptEnd: number;
  /** <sealed-app> is defined: the bundle was parsed and run. */
  readonly appDefined: number;
  readonly firstPaint: number;
  readonly interactive: number;
}

/** Opens the app in a new tab of `context`: when it became interactive, where the time went, and whether the service worker served it. */
async function openApp(context: BrowserContext, url: string): Promise<{ mark: InteractiveMark; phases: Phases; fromServiceWorker: boolean; scripts: string[] }> {
  const page = await context.newPage();
  try {
    const response = await page.goto(url);
    const handle = await page.waitForFunction(() => (window as unknown as { __sealedInteractive?: InteractiveMark }).__sealedInteractive, undefined, { timeout: 30_000 });
    const mark = (await handle.jsonValue()) as InteractiveMark;
    const timing = await page.evaluate((interactiveAt) => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      const script = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).find((e) => /\/assets\/.*\.js$/.test(e.name));
      const paint = performance.getEntriesByName("first-paint")[0];
      // Scripts whose fetch started by the time the app was interactive: what the first screen needs. (This
      // runs a little later; a chunk the app prefetches once the first screen is up is not counted.)
      const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .filter((e) => e.initiatorType === "script" || /\.m?js$/.test(new URL(e.name).pathname))
        .filter((e) => e.startTime <= interactiveAt)
        .map((e) => new URL(e.name).pathname);
      return { documentEnd: nav?.responseEnd ?? NaN, scriptEnd: script?.responseEnd ?? NaN, firstPaint: paint?.startTime ?? NaN, scripts };
    }, mark.at);
    const { scripts, ...milestones } = timing;
    const phases: Phases = { ...milestones, appDefined: mark.appDefinedAt ?? NaN, interactive: mark.at };
    return { mark, phases, fromServiceWorker: response?.fromServiceWorker() ?? false, scripts };
  } finally {
    await page.close();
  }
}

function medianPhases(all: readonly Phases[]): Phases {
  const pick = (k: keyof Phases) => round(median(all.map((p) => p[k])));
  return { documentEnd: pick("documentEnd"), scriptEnd: pick("scriptEnd"), appDefined: pick("appDefined"), firstPaint: pick("firstPaint"), interactive: pick("interactive") };
}

const describe = (p: Phases) =>
  `document ${p.documentEnd} ms, app bundle arrived ${p.scriptEnd} ms, app defined (bundle parsed and run) ${p.appDefined} ms, first paint ${p.firstPaint} ms, interactive ${p.interactive} ms`;

async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(interactiveProbe);
  return context;
}

interface Starts {
  /** ms from navigation start to interactive, one per measured run. */
  readonly cold: number[];
  readonly warm: number[];
  readonly coldPhases: Phases[];
  readonly warmPhases: Phases[];
  /** Warm starts of a signed-in profile, to its conversation list (ms), and their milestones. */
  readonly signedIn: number[];
  readonly signedInPhases: Phases[];
  /** Paths of the scripts a fresh profile fetched before the first screen was interactive. */
  readonly startScripts: string[];
}

/** Creates an account through the onboarding form and the recovery key screen, up to the conversation list. */
async function signUp(context: BrowserContext, baseURL: string): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(baseURL);
    await page.getByTestId("username-input").fill(`bench${Date.now().toString(36)}`);
    await page.getByTestId("create-account").click();
    const key = page.getByTestId("recovery-key");
    await key.waitFor({ timeout: 60_000 });
    const groups = await key.locator("span").allTextContents();
    await page.getByLabel("I saved my recovery key").check();
    const confirm = page.getByTestId("confirm-group");
    await confirm.fill(groups[Number(await confirm.getAttribute("data-group")) - 1] ?? "");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator("sealed-conversation-list").waitFor({ timeout: 30_000 });
  } finally {
    await page.close();
  }
}

async function measureStarts(baseURL: string): Promise<Starts> {
  const browser = await launchBrowser();
  const out: Starts = { cold: [], warm: [], coldPhases: [], warmPhases: [], signedIn: [], signedInPhases: [], startScripts: [] };
  try {
    for (let i = 0; i < WARMUP_RUNS + COLD_RUNS; i++) {
      const context = await newContext(browser);
      try {
        const { mark, phases, scripts } = await openApp(context, baseURL);
        if (mark.what !== "onboarding") throw new Error(`a fresh profile showed ${mark.what}, expected onboarding`);
        out.startScripts.splice(0, Infinity, ...scripts);
        if (i >= WARMUP_RUNS) out.cold.push(mark.at), out.coldPhases.push(phases);
      } finally {
        await context.close();
      }
    }
    const context = await newContext(browser);
    try {
      // The first visit installs the service worker, which precaches the shell before it activates.
      const page = await context.newPage();
      await page.goto(baseURL);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      await page.close();
      for (let i = 0; i < WARMUP_RUNS + WARM_RUNS; i++) {
        const { mark, phases, fromServiceWorker } = await openApp(context, baseURL);
        if (!fromServiceWorker) throw new Error("warm start was not served by the service worker");
        if (i >= WARMUP_RUNS) out.warm.push(mark.at), out.warmPhases.push(phases);
      }
      // The same profile signed in: its first screen is the conversation list, from the local store.
      await signUp(context, baseURL);
      for (let i = 0; i < WARMUP_RUNS + WARM_RUNS; i++) {
        const { mark, phases, fromServiceWorker } = await openApp(context, baseURL);
        if (!fromServiceWorker) throw new Error("signed-in start was not served by the service worker");
        if (mark.what !== "chat-list") throw new Error(`a signed-in profile showed ${mark.what}, expected the chat list`);
        if (i >= WARMUP_RUNS) out.signedIn.push(mark.at), out.signedInPhases.push(phases);
      }
    } finally {
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

export const appShellBenchmark: Benchmark = {
  name: "app-shell",
  title: "7. App shell: JavaScript shipped and start to interactive",
  method:
    "JavaScript shipped before interactive is what a fresh profile fetched (Resource Timing: every script whose fetch started " +
    "no later than the moment the first screen was interactive; chunks the app prefetches after that are not counted), gzip -9; the goal applies to it. All JavaScript is every .js file of the production build (dist/web: the app " +
    "bundle, the chunks loaded on demand and the service worker, source maps excluded), raw and gzip -9. Start to interactive is measured in headless Chromium against `wrangler " +
    "dev` on loopback serving a snapshot of that build: \"interactive\" means the onboarding form's username input " +
    "(or, when signed in, the conversation list) is in the document with a layout box, visible and enabled; it is " +
    "detected by mutation observers on the document and on every shadow root (plus a per-frame check) installed " +
    "before the app's scripts, and timed with performance.now() from navigation start. Cold: a new browser context " +
    "each run (empty HTTP cache, no service worker; the browser process is already running). Warm: the same context " +
    "after the service worker has installed and precached the shell, a new tab each run, the document and scripts " +
    "served by the service worker (checked on every run). `npm run build` runs first if dist/web is missing.",
  async run() {
    // A snapshot: other builds may replace dist/web while this runs.
    const { dir: snapshot, source: buildSource, remove } = snapshotBuild();
    let files: JsFile[];
    let owners: { owner: string; bytes: number; file: string }[];
    let starts: Starts;
    try {
      files = jsFiles(snapshot);
      owners = files.flatMap((f) => attributeBundle(join(snapshot, f.path)).map((o) => ({ ...o, file: f.path })));
      const server = await startServer(snapshot);
      try {
        starts = await measureStarts(server.baseURL);
      } finally {
        await server.stop();
      }
    } finally {
      remove();
    }
    const { cold, warm, coldPhases, warmPhases, signedIn, signedInPhases, startScripts } = starts;
    const raw = files.reduce((s, f) => s + f.bytes, 0);
    const gzip = files.reduce((s, f) => s + f.gzip, 0);

    const kb = (n: number) => round(n / 1024);
    const list = files.map((f) => `${f.path} ${kb(f.gzip)} KB`).join(", ");
    // The service worker is fetched after the first screen, so it is not on the start path even when listed.
    const onStartPath = files.filter((f) => startScripts.includes(`/${f.path}`) && f.path !== "sw.js");
    const startGzip = onStartPath.reduce((sum, f) => sum + f.gzip, 0);
    const biggestAtStart = owners
      .filter((o) => onStartPath.some((f) => f.path === o.file))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 6)
      .map((o) => `${o.owner} ${kb(o.bytes)} KB`)
      .join(", ");
    const w = medianPhases(warmPhases);
    const figures: Figure[] = [
      {
        id: "app-shell.js.start",
        label: "JavaScript shipped before the first screen is interactive, gzip",
        value: kb(startGzip),
        unit: "KB",
        // Issue 23: "App shell <= 120 KB gzip (rarely used screens and qrcode loaded on demand), warm start <= 200 ms".
        goal: { kind: "at_most", value: 120 },
        method: `the scripts a fresh profile had fetched when the onboarding form became interactive: ${onStartPath.map((f) => `${f.path} ${kb(f.gzip)} KB`).join(", ") || "none matched"}; gzip level 9`,
        ifMissed: {
          why: `the first screen loads ${kb(startGzip)} KB of gzipped JavaScript. By the source maps, its largest parts (minified, before gzip) are: ${biggestAtStart}.`,
          fix:
            "the shell is only the first screen: <sealed-app>, the onboarding form and the update prompt; the client (store, sync, protocol, " +
            "Dexie, zod) and the chat screens are one chunk loaded on demand (docs/decisions.md \"The app shell holds the first screen\"). " +
            "If this grew, look for a new static import from the shell into web/src/client/index.ts, protocol/index.ts, Dexie or zod " +
            "(the shell reaches the client only through web/src/client/shell.ts).",
        },
      },
      {
        id: "app-shell.js.gzip",
        label: "All JavaScript in the build, gzip (chunks loaded on demand included)",
        value: kb(gzip),
        unit: "KB",
        method:
          `sum over ${files.length} files (${list}), gzip level 9; ${kb(gzip - startGzip)} KB of it is not fetched before the first screen: ` +
          "chunks loaded on demand (import()) and the service worker, which precaches every chunk after the first screen (docs/decisions.md)",
      },
      { id: "app-shell.js.raw", label: "All JavaScript in the build, raw", value: kb(raw), unit: "KB", method: `sum over ${files.length} files, minified, before compression` },
      {
        id: "app-shell.start.cold",
        label: "Cold start to interactive (first visit, nothing cached)",
        value: round(median(cold)),
        unit: "ms",
        method: `median of ${cold.length} runs after ${WARMUP_RUNS} warm-up runs, each in a new browser context (fastest ${round(Math.min(...cold))} ms); medians of the milestones: ${describe(medianPhases(coldPhases))}`,
      },
      {
        id: "app-shell.start.warm",
        label: "Warm start to interactive (served by the service worker)",
        value: round(median(warm)),
        unit: "ms",
        goal: { kind: "at_most", value: 200 },
        method: `median of ${warm.length} runs after ${WARMUP_RUNS} warm-up runs, a new tab each in the context that installed the service worker (fastest ${round(Math.min(...warm))} ms); medians of the milestones: ${describe(w)}`,
        ifMissed: {
          why:
            `the network is not the cost (the document is there at ${w.documentEnd} ms and the bundle at ${w.scriptEnd} ms); ` +
            `parsing and running the ${kb(onStartPath.reduce((sum, f) => sum + f.bytes, 0))} KB of minified JavaScript the first screen loads takes until ${w.appDefined} ms, ` +
            `and the app's start (asking IndexedDB whether a store exists, then the first render of the form) until ${w.interactive} ms. ` +
            `The 2-core machine was shared with other work (1-minute load average ${loadAverage()[0]} at the end), which stretches every step; the fastest run took ${round(Math.min(...warm))} ms.`,
          fix:
            "the first screen already loads only the shell and looks for a store without opening it (indexedDB.databases()); see which " +
            "milestone grew (the shell's parse, or the first render) and re-measure on an idle machine.",
        },
      },
      {
        id: "app-shell.start.signed-in",
        label: "Warm start of a signed-in profile to its chat list (served by the service worker)",
        value: round(median(signedIn)),
        unit: "ms",
        method:
          `the warm context after an account was made in it through the onboarding form (no chats yet): median of ${signedIn.length} runs after ${WARMUP_RUNS} warm-up runs, ` +
          `"interactive" when the conversation list is in the document, visible (fastest ${round(Math.min(...signedIn))} ms); medians of the milestones: ${describe(medianPhases(signedInPhases))}`,
      },
    ];
    return {
      figures,
      details: { build: buildSource, files, startScripts, largestParts: [...owners].sort((a, b) => b.bytes - a.bytes).slice(0, 20), coldPhases, warmPhases, signedInPhases },
      notes: [
        "Before the screens loaded on demand (issue 23): the build of commit 0661ce9 gives 163 KB gzip before interactive (one 579 KB " +
          "chunk) and 234 KB of JavaScript in all. Start times of that build and of this one, measured by this benchmark on the same " +
          "machine in alternating runs on 2026-12-06/07 while other sessions ran tests (1-minute load average 11 to 20 on 2 cores): " +
          "warm start, median of 11 (fastest), before 186 (146), 219 (158), 215, 201, 228 (142) ms; after 159 (92), 289 (133), 350, " +
          "241 (143), 189 (127) ms. Cold start before 458, 525, 615, 563, 659 ms; after 435, 825, 642, 582, 476 ms. At that load the " +
          "medians overlap, so the start-time effect is not resolved here; the fastest warm runs are lower after. Re-measure on an idle machine.",
        "The shell holding only the first screen (issue 23, docs/decisions.md \"The app shell holds the first screen\"): the build of " +
          "fd30b54 before and this layout after, measured by this benchmark in alternating runs on 2026-12-07 at a 1-minute load average " +
          "of 13 to 20: before the first screen 194 KB gzip before, 22.2 KB after; warm start, median of 11 (fastest), before 275 (203), " +
          "375 (194) ms, after 105 (60), 113 (62) ms; cold start before 657, 631 ms, after 305, 266 ms; signed-in warm start to the chat " +
          "list before 325 (249), 284 (181) ms, after 327 (145), 253 (155) ms.",
        "Cold and warm starts are to the onboarding form of a fresh profile; the signed-in start is to the chat list of an account with no chats yet.",
        ...signedInShare(files, onStartPath),
        "Cold and warm both run against a local server on loopback, so network latency is absent: a real first visit adds round trips and download time.",
      ],
    };
  },
};

/**
 * What a returning, signed-in profile loads before its chat list on top of the shell: the `app` chunk (the
 * client and the chat screens, vite.config.ts), from the service worker's cache. The goal is about the
 * shell; this says plainly what the other first screen costs.
 */
function signedInShare(files: readonly JsFile[], shell: readonly JsFile[]): string[] {
  const app = files.filter((f) => /^assets\/app-[\w-]+\.js$/.test(f.path));
  if (app.length === 0) return [];
  const kb = (n: number) => round(n / 1024);
  const appGzip = app.reduce((sum, f) => sum + f.gzip, 0);
  const shellGzip = shell.reduce((sum, f) => sum + f.gzip, 0);
  return [
    `A signed-in profile's first screen (the chat list) needs the app chunk as well (${app.map((f) => f.path).join(", ")}, ${kb(appGzip)} KB gzip, fetched at once by the shell when this browser has an account, served by the service worker once installed): ${kb(shellGzip + appGzip)} KB in all before that screen, above the 120 KB the goal sets for the shell. Making it smaller (zod/mini instead of zod, the chat view apart from the chat list) is future work.`,
  ];
}
