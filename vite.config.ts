import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

/** The web app manifest lives at the repo top (DESIGN "Parts"); serve it in dev and emit it in builds. */
function topLevelManifest(): Plugin {
  const file = new URL("./manifest.webmanifest", import.meta.url);
  return {
    name: "sealed-manifest",
    configureServer(server) {
      server.middlewares.use("/manifest.webmanifest", (_req, res) => {
        res.setHeader("content-type", "application/manifest+json");
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "manifest.webmanifest", source: readFileSync(file) });
    },
  };
}

/**
 * Every module the entry imports statically, found once the module graph is complete: the app shell. They go
 * into one chunk (below), so the shell compresses as one file, not as many small shared chunks that rolldown
 * would otherwise cut wherever a screen loaded on demand shares a module with it.
 */
const shellModules = new Set<string>();
/**
 * What a signed-in start needs besides the shell: the client and the chat screens, with everything they import
 * statically. One chunk too (docs/decisions.md "The app shell holds the first screen"), so a signed-in start
 * fetches two files, not the dozen shared pieces rolldown would cut where rarer screens share modules with it.
 */
const appModules = new Set<string>();
const APP_ROOTS = [/\/web\/src\/client\/index\.ts$/, /\/web\/src\/ui\/sealed-main\.ts$/];
function findShell(): Plugin {
  return {
    name: "sealed-shell-modules",
    apply: "build",
    buildEnd() {
      shellModules.clear();
      appModules.clear();
      const visit = (into: Set<string>, id: string) => {
        if (into.has(id) || (into === appModules && shellModules.has(id))) return;
        into.add(id);
        for (const dep of this.getModuleInfo(id)?.importedIds ?? []) visit(into, dep);
      };
      const ids = [...this.getModuleIds()];
      for (const id of ids) if (this.getModuleInfo(id)?.isEntry) visit(shellModules, id);
      for (const id of ids) if (APP_ROOTS.some((r) => r.test(id))) visit(appModules, id);
    },
  };
}

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

/** Shown in the app (and so part of the bundle): VITE_APP_VERSION overrides the package version. */
const appVersion = process.env.VITE_APP_VERSION || pkg.version;

export default defineConfig({
  root: "web",
  publicDir: "public",
  define: {
    __APP_VERSION__: JSON.stringify(appVersion),
  },
  plugins: [
    topLevelManifest(),
    findShell(),
    // The service worker is our own source (web/src/sw/sw.ts) with Workbox's precache list injected, so it
    // can also answer Background Sync. The page registers it through workbox-window (web/src/pwa/).
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src/sw",
      filename: "sw.ts",
      registerType: "prompt",
      injectRegister: false,
      manifest: false,
      injectManifest: {
        // The app shell: HTML, JS, CSS, icons and the manifest. Source maps stay out of the precache.
        globPatterns: ["**/*.{html,js,css,svg,png,webmanifest}"],
        globIgnores: ["sw.js"],
        sourcemap: false,
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "shell", test: (id: string) => shellModules.has(id) },
            { name: "app", test: (id: string) => appModules.has(id) && !shellModules.has(id) },
          ],
        },
      },
    },
  },
  server: {
    proxy: { "/api": { target: "http://127.0.0.1:8787", ws: true } },
  },
});
