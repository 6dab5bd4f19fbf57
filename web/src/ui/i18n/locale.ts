import { LOCALE_STATUS_EVENT, configureLocalization } from "@lit/localize";
import { setFormatLocale } from "./intl.js";
import { writeNotificationLocale } from "../../client/shell.js";
import { sourceLocale, targetLocales } from "../../locales/locale-codes.js";
import { localeFor, readLanguage, saveLanguage, type AppLocale, type Language } from "./language.js";

/**
 * Runtime localization (lit-localize "runtime" mode): English is in the source; each other language is a
 * generated module (web/src/locales/<code>.ts) imported on demand, so it never grows the app shell.
 */
// Before any element listens: dates and numbers switch with the words, in the same re-render.
window.addEventListener(LOCALE_STATUS_EVENT, (e) => {
  if (e.detail.status === "ready") setFormatLocale(e.detail.readyLocale);
});

const { getLocale, setLocale } = configureLocalization({
  sourceLocale,
  targetLocales,
  loadLocale: (locale: string) => {
    if (locale === "de") return import("../../locales/de.js");
    return Promise.reject(new Error(`no messages for locale ${locale}`));
  },
});

/** The active locale, for Intl formatters: "en" or "de". */
export function activeLocale(): AppLocale {
  return getLocale() === "de" ? "de" : "en";
}

/** Switches every @localized() element (and <html lang>) to the locale for this choice. */
export async function applyLanguage(language: Language): Promise<void> {
  const locale = localeFor(language, navigator.languages ?? [navigator.language]);
  await setLocale(locale);
  setFormatLocale(locale);
  document.documentElement.lang = locale;
  // The service worker writes notifications in this language (client/push/notification-locale.ts).
  if ("caches" in globalThis) void writeNotificationLocale(locale).catch((e: unknown) => console.warn("could not keep the language for notifications:", e));
}

/** At start, before the first render: the saved choice or the browser's languages. */
export async function startLanguage(): Promise<void> {
  try {
    await applyLanguage(readLanguage());
  } catch (e) {
    // A locale module that fails to load (offline before the first cache) leaves the app in English.
    console.warn("could not load the language:", e);
  }
}

/** Settings: keep the choice on this device and apply it at once, without a reload. */
export async function chooseLanguage(language: Language): Promise<void> {
  saveLanguage(language);
  await applyLanguage(language);
}
