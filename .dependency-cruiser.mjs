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
      name: "ui-through-the-client-door",
      severity: "error",
      comment: "The screens reach the client only through web/src/client/index.ts (ChatClient, its facades, view types, errors): the store, transports and operations stay behind it.",
      from: { path: "^web/src/(ui/|pwa/|main\\.ts$)" },
      to: { path: "^web/src/client/", pathNot: "^web/src/client/index\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
  },
};
