import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/**
 * The session cookie. Over https it is `__Host-sealed_session` (the prefix makes the browser insist on
 * Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite it). Plain http is only
 * the local dev origin (http://127.0.0.1), where Secure cookies would be dropped, so there the name has
 * no prefix. Always HttpOnly (script never sees the token) and SameSite=Strict (no cross-site sends).
 */
export const SESSION_COOKIE = "sealed_session";

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:";
}

export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number): void {
  const common = { httpOnly: true, sameSite: "Strict", path: "/", maxAge: maxAgeSeconds } as const;
  if (isHttps(c)) setCookie(c, SESSION_COOKIE, token, { ...common, secure: true, prefix: "host" });
  else setCookie(c, SESSION_COOKIE, token, common);
}

export function readSessionCookie(c: Context): string | undefined {
  return isHttps(c) ? getCookie(c, SESSION_COOKIE, "host") : getCookie(c, SESSION_COOKIE);
}

export function clearSessionCookie(c: Context): void {
  const common = { httpOnly: true, sameSite: "Strict", path: "/" } as const;
  if (isHttps(c)) deleteCookie(c, SESSION_COOKIE, { ...common, secure: true, prefix: "host" });
  else deleteCookie(c, SESSION_COOKIE, common);
}
