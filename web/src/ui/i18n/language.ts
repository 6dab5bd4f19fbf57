/**
 * The interface language (Settings → Appearance): "system" follows the browser's languages
 * (navigator.languages), "en" and "de" override it. Kept per device in localStorage like the theme, since
 * a shared account may be used by people reading different languages on different devices.
 */
export const LANGUAGES = ["system", "en", "de"] as const;
export type Language = (typeof LANGUAGES)[number];
/** The locales the app ships (lit-localize.json: source "en", target "de"). */
export type AppLocale = Exclude<Language, "system">;

const KEY = "sealed-setting:language";

function isLanguage(v: unknown): v is Language {
  return typeof v === "string" && (LANGUAGES as readonly string[]).includes(v);
}

/** The stored choice; anything else stored there (or no storage) is "system". */
export function readLanguage(): Language {
  try {
    const v = localStorage.getItem(KEY);
    return isLanguage(v) ? v : "system";
  } catch {
    return "system";
  }
}

export function saveLanguage(language: Language): void {
  try {
    localStorage.setItem(KEY, language);
  } catch (e) {
    console.warn("could not keep the language:", e);
  }
}

/** The first of the reader's languages that the app has: any German ("de", "de-AT"...) is German, else English. */
export function localeFor(language: Language, preferred: readonly string[]): AppLocale {
  if (language !== "system") return language;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "de") return "de";
    if (base === "en") return "en";
  }
  return "en";
}
