/**
 * Intl formatters for the active locale (lit-localize's getLocale), made once per locale and options:
 * constructing an Intl formatter costs far more than calling it, and the chat list formats hundreds of times.
 */
const cache = new Map<string, unknown>();

function cached<T>(kind: string, locale: string, options: object, make: () => T): T {
  const key = `${kind}|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as T | undefined;
  if (f === undefined) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

let active = "en";

/** The locale to format in: the one lit-localize has active ("en" before any is set; ui/i18n/locale.ts). */
export function formatLocale(): string {
  return active;
}

export function setFormatLocale(locale: string): void {
  active = locale;
}

export function dateFormat(options: Intl.DateTimeFormatOptions, locale = formatLocale()): Intl.DateTimeFormat {
  return cached("date", locale, options, () => new Intl.DateTimeFormat(locale, options));
}

export function numberFormat(options: Intl.NumberFormatOptions = {}, locale = formatLocale()): Intl.NumberFormat {
  return cached("number", locale, options, () => new Intl.NumberFormat(locale, options));
}

export function listFormat(options: Intl.ListFormatOptions = { type: "conjunction" }, locale = formatLocale()): Intl.ListFormat {
  return cached("list", locale, options, () => new Intl.ListFormat(locale, options));
}

export function pluralRules(locale = formatLocale()): Intl.PluralRules {
  return cached("plural", locale, {}, () => new Intl.PluralRules(locale));
}

export function relativeTimeFormat(options: Intl.RelativeTimeFormatOptions = { numeric: "auto" }, locale = formatLocale()): Intl.RelativeTimeFormat {
  return cached("relative", locale, options, () => new Intl.RelativeTimeFormat(locale, options));
}

/** A whole number in the locale ("1,234" / "1.234"). */
export function formatCount(n: number, locale = formatLocale()): string {
  return numberFormat({}, locale).format(n);
}

/** "one" or "other" (English and German have only these for cardinals): picks a msg() per form. */
export function isOne(n: number, locale = formatLocale()): boolean {
  return pluralRules(locale).select(n) === "one";
}
