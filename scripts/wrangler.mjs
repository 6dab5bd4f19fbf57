// Runs wrangler fully offline and stops it without leaving workerd behind.
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

/** Env that keeps wrangler from phoning home or prompting (checked with strace, see PLATFORM.md). */
export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CI: "true",
};

const bin = new URL("../node_modules/.bin/wrangler", import.meta.url).pathname;

/** Applies D1 migrations locally; throws with wrangler's output if it fails. */
export function applyMigrations(persistTo) {
  const args = ["d1", "migrations", "apply", "DB", "--local"];
  if (persistTo) args.push("--persist-to", persistTo);
  const r = spawnSync(bin, args, { env: wranglerEnv, encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`wrangler ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/**
 * Vars for local `wrangler dev` only (never deployed): every browser reaches it from 127.0.0.1, so the
 * per-address sign-up and login limits (worker/http/auth-limits.ts) would count all local users and every
 * e2e test as one client. Deployed workers keep the defaults (wrangler.toml sets no such var).
 */
export const localDevVars = { SIGNUP_LIMIT_PER_HOUR: "100000", LOGIN_LIMIT_PER_10_MIN: "100000" };

/** Where local dev keeps its secrets (gitignored); wrangler dev reads it next to wrangler.toml too. */
export const devVarsPath = new URL("../.dev.vars", import.meta.url).pathname;

/** KEY=value lines of a .dev.vars file (comments and blank lines skipped; a later key wins, as in dotenv). */
function parseDevVars(text) {
  const vars = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/**
 * The local VAPID key pair for Web Push (worker/push/vapid.ts: base64url of the 65-byte P-256 point and
 * of the 32-byte scalar d), kept in .dev.vars so browsers' subscriptions survive restarts. Made there on
 * first use, with no manual step. Deployed workers read theirs from secrets (README "Push").
 */
export function localVapidVars(path = devVarsPath) {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const have = parseDevVars(text);
  if (have.VAPID_PUBLIC_KEY && have.VAPID_PRIVATE_KEY) return { VAPID_PUBLIC_KEY: have.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: have.VAPID_PRIVATE_KEY };
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  const made = { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d };
  const lines = `# Web Push (VAPID) key pair for local dev, made by scripts/wrangler.mjs; keep it, subscriptions depend on it.\nVAPID_PUBLIC_KEY=${made.VAPID_PUBLIC_KEY}\nVAPID_PRIVATE_KEY=${made.VAPID_PRIVATE_KEY}\n`;
  try {
    if (text === "") writeFileSync(path, lines, { flag: "wx", mode: 0o600 });
    else appendFileSync(path, (text.endsWith("\n") ? "" : "\n") + lines);
  } catch (e) {
    // Another process made the file at the same moment: use its pair, so every server agrees.
    if (e?.code === "EEXIST") return localVapidVars(path);
    throw e;
  }
  return made;
}

/**
 * Starts `wrangler dev` as the leader of its own process group, so one signal reaches
 * wrangler and workerd together (a SIGKILLed wrangler alone leaves workerd on the port).
 * `config` names another wrangler.toml (tests serve a different assets folder with one).
 */
export function startDev({ port, persistTo, config, stdio = ["ignore", "inherit", "inherit"] }) {
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port),
    "--show-interactive-dev-session=false"];
  for (const [name, value] of Object.entries(localDevVars)) args.push("--var", `${name}:${value}`);
  // Also as --var: a config elsewhere (tests) has no .dev.vars beside it. Values may hold ":" (wrangler splits on the first).
  for (const [name, value] of Object.entries(localVapidVars())) args.push("--var", `${name}:${value}`);
  // Local push endpoints (e.g. a test push service) are refused unless listed (worker/push/endpoint-policy.ts).
  if (process.env.PUSH_EXTRA_ORIGINS) args.push("--var", `PUSH_EXTRA_ORIGINS:${process.env.PUSH_EXTRA_ORIGINS}`);
  if (persistTo) args.push("--persist-to", persistTo);
  if (config) args.push("--config", config);
  const child = spawn(bin, args, { env: wranglerEnv, stdio, detached: true });
  // Last resort if we exit without stopDev (a crash, process.exit): don't leave workerd on the port.
  const lastResort = () => {
    try { process.kill(-child.pid, "SIGKILL"); } catch {}
  };
  process.on("exit", lastResort);
  child.once("exit", () => process.off("exit", lastResort));
  return child;
}

/** Live (non-zombie) processes from /proc: pid, parent pid, process group. */
function processes() {
  const out = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name in /proc/PID/stat may contain spaces, so split after its ")".
      const [state, ppid, pgrp] = readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1].split(" ");
      if (state !== "Z") out.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {} // the process exited while we looked
  }
  return out;
}

function descendants(rootPid, procs) {
  const out = [];
  const stack = [rootPid];
  while (stack.length) {
    const parent = stack.pop();
    for (const p of procs) if (p.ppid === parent) out.push(p.pid), stack.push(p.pid);
  }
  return out;
}

/** Our pids (the group and the tree below its leader) that still run; zombies count as gone. */
function survivors(pgid, tree) {
  return processes().filter((p) => p.pgrp === pgid || tree.includes(p.pid)).map((p) => p.pid);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGINT (or `signal`) to the group, wait up to `graceMs` for the group and every descendant
 * (workerd, in case it left the group) to go, then SIGKILL whatever is left.
 */
export async function stopDev(child, { signal = "SIGINT", graceMs = 5000 } = {}) {
  const pid = child.pid;
  if (!pid) return;
  const tree = [pid, ...descendants(pid, processes())];
  try { process.kill(-pid, signal); } catch {}
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && survivors(pid, tree).length) await sleep(100);
  for (const p of survivors(pid, tree)) try { process.kill(p, "SIGKILL"); } catch {}
}
