/**
 * The client's second, small door (docs/decisions.md "The app shell holds the first screen"): what the
 * app shell (main.ts, <sealed-app>, the onboarding form, ui/error-text.ts, the language switch) uses
 * before the client is loaded. Each export comes from a file that imports no store, transport schema,
 * Dexie or zod, so importing this keeps the shell small; everything else goes through index.ts, which
 * the shell loads with import() (ui/app-client.ts).
 */
export { isApiError, type ApiError } from "./transport/api-error.js";
export { isClientError } from "./errors.js";
export { writeNotificationLocale } from "./push/notification-locale.js";
export { storeMayExist } from "./store/store-exists.js";
