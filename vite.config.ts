import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";

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

export default defineConfig({
  root: "web",
  publicDir: "public",
  plugins: [topLevelManifest()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8787" },
  },
});
