import { msg } from "@lit/localize";
import { dateFormat, formatLocale } from "./i18n/intl.js";

/** Dates and times in the active locale (ui/i18n/). */
const TIME: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit" };
const DAY: Intl.DateTimeFormatOptions = { weekday: "long", day: "numeric", month: "long" };
const DAY_WITH_YEAR: Intl.DateTimeFormatOptions = { day: "numeric", month: "long", year: "numeric" };
const SHORT: Intl.DateTimeFormatOptions = { day: "numeric", month: "short" };

export function formatTime(ms: number, locale = formatLocale()): string {
  return dateFormat(TIME, locale).format(ms);
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "Today", "Yesterday", a weekday with date, or a full date for other years. */
export function formatDay(ms: number, now = Date.now(), locale = formatLocale()): string {
  const d = new Date(ms);
  const today = new Date(now);
  if (sameDay(d, today)) return msg("Today");
  const yesterday = new Date(now);
  yesterday.setDate(today.getDate() - 1);
  if (sameDay(d, yesterday)) return msg("Yesterday");
  return dateFormat(d.getFullYear() === today.getFullYear() ? DAY : DAY_WITH_YEAR, locale).format(d);
}

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** For the conversation list: a time today, else a short date. */
export function formatListTime(ms: number, now = Date.now(), locale = formatLocale()): string {
  return sameDay(new Date(ms), new Date(now)) ? formatTime(ms, locale) : dateFormat(SHORT, locale).format(ms);
}
