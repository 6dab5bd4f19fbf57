/** The app version, fixed at build time (vite.config.ts: VITE_APP_VERSION or package.json). */
declare const __APP_VERSION__: string;
