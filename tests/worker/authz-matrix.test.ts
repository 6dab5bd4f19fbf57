import { beforeAll, describe, expect, test } from "vitest";
import { errorBody } from "../../protocol/api.js";
import { createApp } from "../../worker/app.js";
import { makeAccount, requestNonce, signUp, signedLogin } from "../support/account.js";
import { apiClient, cookieFrom } from "../support/api-client.js";
import { freshAddress } from "../support/link-relay.js";
import { directFetch } from "./api.js";
import { renderAuthorizationDoc } from "./authz-doc.js";
import { makeAuthzFixtures, type AuthzFixtures } from "./authz-fixtures.js";
import { AUTHZ_REQUESTS, callerFor } from "./authz-requests.js";
import { AUTHZ_TABLE, PRINCIPALS, type Cell, type Principal } from "./authz-table.js";

let fx: AuthzFixtures;
beforeAll(async () => {
  fx = await makeAuthzFixtures();
}, 30_000);

describe("the table", () => {
  test("has a row for every route the worker serves, and no row for a route it does not", () => {
    const served = new Set(createApp().routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
    const listed = new Set(AUTHZ_TABLE.map((e) => `${e.method} ${e.path}`));
    expect([...listed].sort()).toEqual([...served].sort());
  });

  test("every row id is unique", () => {
    expect(new Set(AUTHZ_TABLE.map((e) => e.id)).size).toBe(AUTHZ_TABLE.length);
  });

  test("only the admin column is n/a, and only off the group rows (and the create, where the creator is the admin)", () => {
    for (const e of AUTHZ_TABLE) {
      const groupRow = /\/(membership|history-shares|meta)$/.test(e.path);
      for (const p of PRINCIPALS) expect("notApplicable" in e.cells[p], `${e.id} as ${p}`).toBe(p === "admin" && !groupRow);
    }
  });

  test("docs/AUTHORIZATION.md is rendered from it (UPDATE_SNAPSHOT=1 rewrites the file)", async () => {
    await expect(renderAuthorizationDoc(AUTHZ_TABLE)).toMatchFileSnapshot("../../docs/AUTHORIZATION.md");
  });
});

/** The cells that are requests: every principal but those marked n/a. */
function requestCells(cells: Record<Principal, Cell>): [Principal, { status: number; code?: string }][] {
  return PRINCIPALS.flatMap((p) => {
    const cell = cells[p];
    return "notApplicable" in cell ? [] : [[p, cell] as [Principal, { status: number; code?: string }]];
  });
}

describe.each(AUTHZ_TABLE.map((e) => [`${e.method} ${e.path} (${e.id})`, e] as const))("%s", (_name, endpoint) => {
  test.each(requestCells(endpoint.cells))("as %s", async (principal, cell) => {
    const caller = await callerFor(fx, principal);
    const res = await AUTHZ_REQUESTS[endpoint.id](fx, caller);
    const text = res.status === 101 ? "" : await res.text();
    expect({ status: res.status, body: text.slice(0, 300) }).toMatchObject({ status: cell.status });
    if (cell.status >= 400) {
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = errorBody.parse(JSON.parse(text));
      expect(body.error.code).toBe(cell.code);
      expect(body.error.message.length).toBeGreaterThan(0);
    }
  });
});

/** `name=value; A=b; Flag` into its parts, attribute names lower-cased. */
function parseSetCookie(header: string | null): { name: string; value: string; attributes: Record<string, string | true> } {
  const [pair = "", ...rest] = (header ?? "").split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  const attributes: Record<string, string | true> = {};
  for (const a of rest) {
    const i = a.indexOf("=");
    if (i < 0) attributes[a.toLowerCase()] = true;
    else attributes[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

describe("the session cookie", () => {
  const http = apiClient("http://example.com", (url, init) => directFetch(url, { ...init, headers: { "CF-Connecting-IP": freshAddress(), ...init.headers } }));
  const https = apiClient("https://example.com", (url, init) => directFetch(url, { ...init, headers: { "CF-Connecting-IP": freshAddress(), ...init.headers } }));

  test.each([
    ["plain http (the local dev origin)", http, "sealed_session", {}],
    ["https", https, "__Host-sealed_session", { secure: true }],
  ] as const)("over %s it is HttpOnly, SameSite=Strict, Path=/, 30 days, and cleared the same way", async (_what, client, name, secure) => {
    const account = await makeAccount();
    expect((await signUp(client, account)).status).toBe(201);
    const login = await client.call("POST", "/api/session", { json: await signedLogin(client, account, await requestNonce(client, account)) });
    expect(login.status).toBe(200);
    const set = parseSetCookie(login.headers.get("set-cookie"));
    expect(set.name).toBe(name);
    // Second form (issue 22): `2.<accountId>.<32 random bytes>`, the account id routing the check to its hub.
    expect(set.value).toMatch(new RegExp(`^2\\.${account.accountId}\\.[A-Za-z0-9_-]{43}$`));
    // Exactly these attributes: no Domain (a sibling subdomain must not receive it), no Expires beside Max-Age.
    expect(set.attributes).toEqual({ "max-age": "2592000", path: "/", httponly: true, samesite: "Strict", ...secure });

    const logout = await client.call("DELETE", "/api/session", { cookie: cookieFrom(login)! });
    expect(logout.status).toBe(204);
    const cleared = parseSetCookie(logout.headers.get("set-cookie"));
    expect(cleared).toEqual({ name, value: "", attributes: { "max-age": "0", path: "/", httponly: true, samesite: "Strict", ...secure } });
  });
});
