/**
 * The colour theme (Settings → Appearance): "system" follows the operating system's light or dark mode,
 * "light" and "dark" override it. Kept per device in localStorage and applied as <html data-theme>,
 * which sets color-scheme; every colour token is light-dark(light, dark) (styles/global.css).
 */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

const KEY = "sealed-setting:theme";

function isTheme(v: unknown): v is Theme {
  return typeof v === "string" && (THEMES as readonly string[]).includes(v);
}

/** The stored theme; anything else stored there (or no storage) is "system". */
export function readTheme(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return isTheme(v) ? v : "system";
  } catch {
    return "system";
  }
}

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === "system") delete root.dataset["theme"];
  else root.dataset["theme"] = theme;
}

export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch (e) {
    console.warn("could not keep the theme:", e);
  }
  applyTheme(theme);
}
