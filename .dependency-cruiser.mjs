// What may import what (docs/ARCHITECTURE.md). Checked by tests/unit/architecture/imports.test.ts in
// `npm test`, and by hand with `npm run deps`.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle makes load order matter and the parts impossible to read alone (type-only imports count).",
      from: {},
      to: { circular: true },
    },
    {
      name: "protocol-is-pure",
      severity: "error",
      comment: "protocol/ is the shared core: no app code, no I/O libraries.",
      from: { path: "^protocol/" },
      to: { path: "^(web|worker|tests|bench|scripts)/|node_modules/(dexie|hono|lit|ws|qrcode|jsqr|workbox)" },
    },
    {
      name: "web-and-worker-never-touch",
      severity: "error",
      comment: "The browser app and the server share only protocol/.",
      from: { path: "^web/" },
      to: { path: "^worker/" },
    },
    {
      name: "worker-and-web-never-touch",
      severity: "error",
      from: { path: "^worker/" },
      to: { path: "^web/" },
    },
    {
      name: "worker-storage-below-http",
      severity: "error",
      comment: "Storage (worker/storage interfaces, worker/db over D1) knows nothing of requests: no HTTP, auth or routes.",
      from: { path: "^worker/(db|storage)/" },
      to: { path: "^worker/(http|auth|routes)/" },
    },
    {
      name: "worker-storage-interfaces-know-no-engine",
      severity: "error",
      comment: "worker/storage says what is stored; which engine stores it (worker/db is D1) is for d1-stores.ts to pick.",
      from: { path: "^worker/storage/" },
      to: { path: "^worker/db/" },
    },
    {
      name: "worker-routes-use-storage-interfaces",
      severity: "error",
      comment:
        "Only the stores middleware picks the engine; routes, auth and realtime use c.var.stores (worker/storage). The account hub runs outside any request and picks it in its one file, realtime/hub-stores.ts; so does the cron handler, worker/scheduled.ts. The entry (index.ts) exports the ConversationLog class wrangler.toml binds, and env.ts names that binding's type.",
      from: { path: "^worker/", pathNot: "^worker/(db/|http/stores[.]ts$|realtime/hub-stores[.]ts$|scheduled[.]ts$|index[.]ts$|env[.]ts$)" },
      to: { path: "^worker/db/" },
    },
    {
      name: "worker-realtime-below-http",
      severity: "error",
      comment: "The realtime hub runs outside any request: it may not reach into HTTP handling or routes.",
      from: { path: "^worker/realtime/" },
      to: { path: "^worker/(http|routes)/" },
    },
    {
      name: "ui-through-the-client-door",
      severity: "error",
      comment:
        "The screens reach the client only through web/src/client/index.ts (ChatClient, its facades, view types, errors): the store, transports and operations stay behind it. The app shell's small door, web/src/client/shell.ts, holds what the shell needs before index.ts is loaded.",
      from: { path: "^web/src/(ui/|pwa/|main\\.ts$)" },
      to: { path: "^web/src/client/", pathNot: "^web/src/client/(index|shell)\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
  },
};
