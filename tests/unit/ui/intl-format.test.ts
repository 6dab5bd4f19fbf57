// Dates, sizes, counts and plural forms through Intl in the active locale (issue 21), in both shipped languages.
import { describe, expect, test } from "vitest";
import { formatBytes } from "../../../web/src/ui/attachment-format.js";
import { formatDay, formatListTime, formatTime } from "../../../web/src/ui/format.js";
import { formatCount, formatLocale, isOne, setFormatLocale } from "../../../web/src/ui/i18n/intl.js";
import { localeFor } from "../../../web/src/ui/i18n/language.js";

// Local time, so the tests do not depend on the machine's time zone.
const NOW = new Date(2026, 11, 7, 15, 30).getTime();
const EARLIER_THIS_YEAR = new Date(2026, 2, 4, 9, 5).getTime();
const LAST_YEAR = new Date(2025, 4, 1, 9, 5).getTime();

describe("dates", () => {
  test("a day earlier this year: weekday and month in each language", () => {
    expect(formatDay(EARLIER_THIS_YEAR, NOW, "en")).toBe("Wednesday, March 4");
    expect(formatDay(EARLIER_THIS_YEAR, NOW, "de")).toBe("Mittwoch, 4. März");
  });

  test("another year's date carries the year", () => {
    expect(formatDay(LAST_YEAR, NOW, "en")).toBe("May 1, 2025");
    expect(formatDay(LAST_YEAR, NOW, "de")).toBe("1. Mai 2025");
  });

  test("times: 12-hour in English, 24-hour in German", () => {
    expect(formatTime(new Date(2026, 0, 1, 15, 7).getTime(), "en")).toMatch(/^3:07\sPM$/);
    expect(formatTime(new Date(2026, 0, 1, 15, 7).getTime(), "de")).toBe("15:07");
  });

  test("the chat list shows a short date for other days", () => {
    expect(formatListTime(EARLIER_THIS_YEAR, NOW, "en")).toBe("Mar 4");
    expect(formatListTime(EARLIER_THIS_YEAR, NOW, "de")).toBe("4. März");
  });

  test("without a locale given, the active one is used", () => {
    const before = formatLocale();
    try {
      setFormatLocale("de");
      expect(formatDay(LAST_YEAR, NOW)).toBe("1. Mai 2025");
      setFormatLocale("en");
      expect(formatDay(LAST_YEAR, NOW)).toBe("May 1, 2025");
    } finally {
      setFormatLocale(before);
    }
  });
});

describe("numbers and sizes", () => {
  test.each([
    [999, "999 B", "999 B"],
    [1430, "1.4 KB", "1,4 KB"],
    [23_000_000, "23 MB", "23 MB"],
    [1_100_000_000, "1.1 GB", "1,1 GB"],
  ])("%d bytes read %j in English and %j in German", (n, en, de) => {
    expect(formatBytes(n, "en")).toBe(en);
    expect(formatBytes(n, "de")).toBe(de);
  });

  test("counts group thousands the local way", () => {
    expect(formatCount(12345, "en")).toBe("12,345");
    expect(formatCount(12345, "de")).toBe("12.345");
  });
});

describe("plural forms", () => {
  test("one and other, in both languages", () => {
    for (const locale of ["en", "de"]) {
      expect(isOne(1, locale)).toBe(true);
      expect(isOne(0, locale)).toBe(false);
      expect(isOne(2, locale)).toBe(false);
      expect(isOne(21, locale)).toBe(false);
    }
  });
});

describe("the language at start", () => {
  test.each([
    ["system", ["de-DE", "en"], "de"],
    ["system", ["de-AT"], "de"],
    ["system", ["fr-FR", "de"], "de"],
    ["system", ["en-GB", "de"], "en"],
    ["system", ["fr-FR"], "en"],
    ["system", [], "en"],
    ["en", ["de-DE"], "en"],
    ["de", ["en-US"], "de"],
  ] as const)("choice %s with browser languages %j is %s", (choice, preferred, locale) => {
    expect(localeFor(choice, preferred)).toBe(locale);
  });
});
