// npm start: build the PWA, migrate local D1, and serve app + API on one origin, offline.
// Usage: npm start [-- --persist-to DIR]   (PORT overrides 8787)
import { spawnSync } from "node:child_process";
import { applyMigrations, startDev, stopDev } from "./wrangler.mjs";

const port = Number(process.env.PORT ?? 8787);
const i = process.argv.indexOf("--persist-to");
const persistTo = i >= 0 ? process.argv[i + 1] : undefined;
if (i >= 0 && !persistTo) {
  console.error("--persist-to needs a directory");
  process.exit(2);
}

const build = spawnSync("node_modules/.bin/vite", ["build"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

try {
  process.stdout.write(applyMigrations(persistTo));
} catch (e) {
  console.error(e.message);
  process.exit(1);
}

const dev = startDev({ port, persistTo });
console.log(`Serving http://127.0.0.1:${port}/ (Ctrl-C to stop)`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await stopDev(dev);
  process.exit(0);
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, stop);
// `kill <npm pid>` makes npm exit without passing the signal on, orphaning us: treat that as a stop too.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stop(), 500).unref();
dev.on("exit", async (code, signal) => {
  if (stopping) return;
  // wrangler died by itself: make sure workerd did too before we report.
  await stopDev(dev);
  process.exit(code ?? (signal ? 1 : 0));
});
