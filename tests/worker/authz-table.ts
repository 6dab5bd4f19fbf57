import type { ApiErrorCode } from "../../protocol/api.js";

/**
 * The authorization matrix (issue 8): every endpoint of the API against every kind of caller, with the
 * status each must get. authz-matrix.test.ts sends every cell as a real request through the worker
 * (workerd, D1, the AccountHub Durable Object) and docs/AUTHORIZATION.md is rendered from this table.
 * Pure data: no runtime imports, so the renderer and the runner share it.
 */

export const PRINCIPALS = ["anonymous", "otherAccount", "revokedDevice", "expiredSession", "foreignOrigin", "member", "admin"] as const;
export type Principal = (typeof PRINCIPALS)[number];

/** Column headings and what each principal is, as the doc states them. */
export const PRINCIPAL_INFO: Record<Principal, { readonly title: string; readonly who: string }> = {
  anonymous: { title: "anonymous", who: "no session cookie, no link token; the server's own Origin" },
  otherAccount: {
    title: "other account's device",
    who: "a live session of a device of another account, which is in no conversation with the member; on link-token rows, the token of another link",
  },
  revokedDevice: {
    title: "revoked device",
    who: "the cookie of a second device of the member's account, logged in and then removed by a revoke entry in the device log",
  },
  expiredSession: {
    title: "expired session",
    who: "a session of the member's own (active) device whose `expires_at` was moved into the past in D1",
  },
  foreignOrigin: {
    title: "foreign Origin",
    who: "the member's own credentials, sent with `Origin: https://evil.example` (another site's page)",
  },
  member: {
    title: "member",
    who: "the device entitled to the resource: a member of the conversation, the account's own device, the device that answered the link, or the new device holding the link token",
  },
  admin: { title: "admin", who: "an admin of the group (its creator), on the group rows; other endpoints have no admin role" },
};

/** One cell: the status a request from that principal gets, the error code when it is an error, and why. */
export type Cell =
  | { readonly status: number; readonly code?: ApiErrorCode; readonly note?: string }
  | { readonly notApplicable: string };

const ok = (status: 101 | 200 | 201 | 204, note?: string): Cell => (note === undefined ? { status } : { status, note });
const err = (status: 400 | 401 | 403 | 404 | 409, code: ApiErrorCode, note?: string): Cell => (note === undefined ? { status, code } : { status, code, note });

const NO_ADMIN: Cell = { notApplicable: "no admin role here" };
const UNAUTHENTICATED = err(401, "unauthenticated");
const BAD_ORIGIN = err(403, "bad_origin");
/** A GET is not state-changing: the Origin check does not apply (SameSite=Strict keeps the cookie off cross-site requests). */
const READ_ANY_ORIGIN = ok(200, "reads are not Origin-checked");

/** Attachments are not revealed to accounts outside their conversation: the same answer as an unknown id. */
const NOT_ITS_ATTACHMENT = "as for an id that does not exist";

/** The columns of an endpoint that needs a live session: everyone without one gets 401. */
const SESSION_REQUIRED = {
  anonymous: UNAUTHENTICATED,
  revokedDevice: UNAUTHENTICATED,
  expiredSession: UNAUTHENTICATED,
  admin: NO_ADMIN,
} as const;

export interface Endpoint {
  /** Unique key of the row; authz-requests.ts has one request builder per id. */
  readonly id: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** The route as the worker registers it (Hono template), so the test can check every route has a row. */
  readonly path: string;
  /** What the member's request does, for the doc. */
  readonly request: string;
  readonly cells: Record<Principal, Cell>;
}

export const AUTHZ_TABLE = [
  {
    id: "health",
    method: "GET",
    path: "/api/health",
    request: "liveness",
    cells: { anonymous: ok(200), otherAccount: ok(200), revokedDevice: ok(200), expiredSession: ok(200), foreignOrigin: READ_ANY_ORIGIN, member: ok(200), admin: NO_ADMIN },
  },
  {
    id: "sign-up",
    method: "POST",
    path: "/api/accounts",
    request: "sign up a new account (a fresh genesis per request)",
    cells: {
      anonymous: ok(201),
      otherAccount: ok(201, "no session needed"),
      revokedDevice: ok(201, "no session needed"),
      expiredSession: ok(201, "no session needed"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(201),
      admin: NO_ADMIN,
    },
  },
  {
    id: "challenge",
    method: "POST",
    path: "/api/session/challenge",
    request: "ask a login nonce for the principal's own device (anonymous: the member's device)",
    cells: {
      anonymous: ok(200),
      otherAccount: ok(200, "for its own device"),
      revokedDevice: err(403, "forbidden", "a removed device gets no nonce"),
      expiredSession: ok(200, "the device is still active"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(200),
      admin: NO_ADMIN,
    },
  },
  {
    id: "login",
    method: "POST",
    path: "/api/session",
    request: "log in: the principal's own device signs a fresh nonce (anonymous: the member's device)",
    cells: {
      anonymous: ok(200),
      otherAccount: ok(200, "as its own device"),
      revokedDevice: err(401, "login_failed", "no nonce can be had, and the device is refused"),
      expiredSession: ok(200, "a new session"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(200),
      admin: NO_ADMIN,
    },
  },
  {
    id: "logout",
    method: "DELETE",
    path: "/api/session",
    request: "log out (the member's session is a throwaway one)",
    cells: {
      anonymous: ok(204, "idempotent"),
      otherAccount: ok(204, "ends its own session"),
      revokedDevice: ok(204, "idempotent"),
      expiredSession: ok(204, "idempotent"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(204),
      admin: NO_ADMIN,
    },
  },
  {
    id: "me",
    method: "GET",
    path: "/api/me",
    request: "who am I",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "itself"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "username-free",
    method: "GET",
    path: "/api/usernames/:username",
    request: "whether a sign-up can take a username",
    cells: {
      anonymous: ok(200, "asked before sign-up; limited per address like sign-up"),
      otherAccount: ok(200, "no session needed"),
      revokedDevice: ok(200, "no session needed"),
      expiredSession: ok(200, "no session needed"),
      foreignOrigin: READ_ANY_ORIGIN,
      member: ok(200),
      admin: NO_ADMIN,
    },
  },
  {
    id: "user-search",
    method: "GET",
    path: "/api/users",
    request: "search the directory for the member's username",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "the directory is open to every logged-in user"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "user-by-name",
    method: "GET",
    path: "/api/users/:username",
    request: "the member's device log by username",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "the directory is open to every logged-in user"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "log-read",
    method: "GET",
    path: "/api/accounts/:accountId/log",
    request: "the member's device log by account id",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "logs are public to logged-in users"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "log-append",
    method: "POST",
    path: "/api/accounts/:accountId/log",
    request: "append an add-device entry to the member's log",
    cells: {
      ...SESSION_REQUIRED,
      otherAccount: err(403, "forbidden", "another account's log"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(201),
    },
  },
  {
    id: "log-append-recover",
    method: "POST",
    path: "/api/accounts/:accountId/log",
    request: "append a recover entry (kind 3) to the member's log",
    cells: {
      anonymous: ok(201, "a recover entry is its own authorization"),
      otherAccount: err(403, "forbidden", "a live session of another account is refused first"),
      revokedDevice: ok(201, "a dead session counts as none"),
      expiredSession: ok(201, "a dead session counts as none"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(201),
      admin: NO_ADMIN,
    },
  },
  {
    id: "log-append-reset",
    method: "POST",
    path: "/api/accounts/:accountId/log",
    request: "append a reset entry (kind 5), which removes every device: each cell has an account of its own",
    cells: {
      anonymous: ok(201, "the recovery key outranks devices"),
      otherAccount: err(403, "forbidden", "a live session of another account is refused first"),
      revokedDevice: ok(201, "a dead session counts as none"),
      expiredSession: ok(201, "a dead session counts as none"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(201),
      admin: NO_ADMIN,
    },
  },
  {
    id: "devices",
    method: "GET",
    path: "/api/devices",
    request: "list the account's devices",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "its own devices only"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "device-name",
    method: "PUT",
    path: "/api/devices/:deviceId/name",
    request: "set the sealed name of the member's device",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "forbidden", "another account's device"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "secrets-put",
    method: "PUT",
    path: "/api/devices/:deviceId/secrets",
    request: "hand another active device of the account a device-secrets package",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "forbidden", "another account's device"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "secrets-get",
    method: "GET",
    path: "/api/devices/self/secrets",
    request: "fetch the package waiting for the calling device",
    cells: { ...SESSION_REQUIRED, otherAccount: err(404, "not_found", "none waits for its own device"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "read-state-put",
    method: "PUT",
    path: "/api/me/read-state/:id",
    request: "store the account's sealed read state of a conversation",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: BAD_ORIGIN, member: ok(200) },
  },
  {
    id: "read-state-list",
    method: "GET",
    path: "/api/me/read-state",
    request: "list the account's sealed read states changed since a version",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "its own account's"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "chat-settings-put",
    method: "PUT",
    path: "/api/me/chat-settings/:id",
    request: "store the account's sealed chat settings of a conversation",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: BAD_ORIGIN, member: ok(200) },
  },
  {
    id: "chat-settings-list",
    method: "GET",
    path: "/api/me/chat-settings",
    request: "list the account's sealed chat settings changed since a version",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "its own account's"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "profile-put",
    method: "PUT",
    path: "/api/profile",
    request: "store the calling account's sealed profile",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(204, "its own account's"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "profile-get",
    method: "GET",
    path: "/api/accounts/:accountId/profile",
    request: "fetch an account's sealed profile (opens only with the key its contacts receive)",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "any signed-in user; the blob is sealed"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "push-vapid",
    method: "GET",
    path: "/api/push/vapid",
    request: "read the server's VAPID public key (public)",
    cells: {
      anonymous: ok(200),
      otherAccount: ok(200, "public"),
      revokedDevice: ok(200, "no session needed"),
      expiredSession: ok(200, "no session needed"),
      foreignOrigin: READ_ANY_ORIGIN,
      member: ok(200),
      admin: NO_ADMIN,
    },
  },
  {
    id: "push-subscription-put",
    method: "PUT",
    path: "/api/push/subscription",
    request: "store the calling device's Web Push subscription",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(204, "its own device's"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "push-subscription-delete",
    method: "DELETE",
    path: "/api/push/subscription",
    request: "delete the calling device's Web Push subscription",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(204, "its own device's"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "push-mute-put",
    method: "PUT",
    path: "/api/push/mutes/:id",
    request: "mute a conversation's pushes for the caller's account",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "push-mutes-list",
    method: "GET",
    path: "/api/push/mutes",
    request: "list the conversations the caller's account muted",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "its own account's"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "link-open",
    method: "POST",
    path: "/api/link",
    request: "open a link (a new device, no account)",
    cells: {
      anonymous: ok(201),
      otherAccount: ok(201, "no session needed"),
      revokedDevice: ok(201, "no session needed"),
      expiredSession: ok(201, "no session needed"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(201),
      admin: NO_ADMIN,
    },
  },
  {
    id: "link-respond",
    method: "POST",
    path: "/api/link/:linkId/respond",
    request: "answer a fresh link with an ephemeral key",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "any logged-in device may answer the code it scanned"), foreignOrigin: BAD_ORIGIN, member: ok(200) },
  },
  {
    id: "link-post-existing",
    method: "POST",
    path: "/api/link/:linkId/frames",
    request: "post a frame `from: existing` to a link the member answered",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "forbidden", "not the device that answered"), foreignOrigin: BAD_ORIGIN, member: ok(201) },
  },
  {
    id: "link-post-new",
    method: "POST",
    path: "/api/link/:linkId/frames",
    request: "post a frame `from: new` with the link token",
    cells: {
      anonymous: err(401, "unauthenticated", "no token"),
      otherAccount: err(403, "forbidden", "another link's token"),
      revokedDevice: err(401, "unauthenticated", "a cookie is not a token"),
      expiredSession: err(401, "unauthenticated", "a cookie is not a token"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(201),
      admin: NO_ADMIN,
    },
  },
  {
    id: "link-read-new",
    method: "GET",
    path: "/api/link/:linkId/frames",
    request: "read the new device's frames (`?from=new`) as the device that answered",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "forbidden", "not the device that answered"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "link-read-existing",
    method: "GET",
    path: "/api/link/:linkId/frames",
    request: "read the answering device's frames (`?from=existing`) with the link token",
    cells: {
      anonymous: err(401, "unauthenticated", "no token"),
      otherAccount: err(403, "forbidden", "another link's token"),
      revokedDevice: err(401, "unauthenticated", "a cookie is not a token"),
      expiredSession: err(401, "unauthenticated", "a cookie is not a token"),
      foreignOrigin: READ_ANY_ORIGIN,
      member: ok(200),
      admin: NO_ADMIN,
    },
  },
  {
    id: "link-delete-existing",
    method: "DELETE",
    path: "/api/link/:linkId",
    request: "end a link as the device that answered it",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "forbidden", "not the device that answered"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "link-delete-new",
    method: "DELETE",
    path: "/api/link/:linkId",
    request: "end a link with the link token",
    cells: {
      anonymous: err(401, "unauthenticated", "no token, no session"),
      otherAccount: err(403, "forbidden", "another link's token"),
      revokedDevice: err(401, "unauthenticated", "a cookie is not a token"),
      expiredSession: err(401, "unauthenticated", "a cookie is not a token"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(204),
      admin: NO_ADMIN,
    },
  },
  {
    id: "conversation-open",
    method: "POST",
    path: "/api/conversations",
    request: "open a direct conversation with a fresh peer",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(201, "its own conversation with that peer"), foreignOrigin: BAD_ORIGIN, member: ok(201) },
  },
  {
    id: "conversations",
    method: "GET",
    path: "/api/conversations",
    request: "list the account's conversations",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "its own list"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "conversation",
    method: "GET",
    path: "/api/conversations/:id",
    request: "read the member's conversation",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "group-create",
    method: "POST",
    path: "/api/groups",
    request: "create a group from the principal's own signed create entry (its author becomes the admin)",
    cells: {
      ...SESSION_REQUIRED,
      otherAccount: ok(201, "its own group"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(201),
      admin: { notApplicable: "whoever creates a group is its admin" },
    },
  },
  {
    id: "membership-read",
    method: "GET",
    path: "/api/conversations/:id/membership",
    request: "read the group's membership log",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200), admin: ok(200) },
  },
  {
    id: "membership-append",
    method: "POST",
    path: "/api/conversations/:id/membership",
    request: "add a new account to the group, in an entry signed by the principal's own device",
    cells: {
      ...SESSION_REQUIRED,
      otherAccount: err(403, "not_member"),
      foreignOrigin: BAD_ORIGIN,
      member: err(400, "invalid_membership", "only admins add members"),
      admin: ok(201),
    },
  },
  {
    id: "history-shares-read",
    method: "GET",
    path: "/api/conversations/:id/history-shares",
    request: "read the history shares addressed to the principal's account in the group",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200), admin: ok(200) },
  },
  {
    id: "group-meta",
    method: "PUT",
    path: "/api/conversations/:id/meta",
    request: "rename the group: a meta sealed under its epoch 0 and signed by the principal's own device",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: BAD_ORIGIN, member: ok(204, "any member may rename"), admin: ok(204) },
  },
  {
    id: "epoch-post",
    method: "POST",
    path: "/api/conversations/:id/epochs",
    request: "post a new epoch bundle signed by the member's device",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: BAD_ORIGIN, member: ok(201) },
  },
  {
    id: "epochs",
    method: "GET",
    path: "/api/conversations/:id/epochs",
    request: "list the conversation's epoch bundles",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "message-post",
    method: "POST",
    path: "/api/conversations/:id/messages",
    request: "post an envelope signed by the member's device",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: BAD_ORIGIN, member: ok(201) },
  },
  {
    id: "messages",
    method: "GET",
    path: "/api/conversations/:id/messages",
    request: "read the conversation's messages",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "attachment-create",
    method: "POST",
    path: "/api/conversations/:id/attachments",
    request: "start an upload of a 10-byte attachment to the member's conversation",
    cells: { ...SESSION_REQUIRED, otherAccount: err(403, "not_member"), foreignOrigin: BAD_ORIGIN, member: ok(201) },
  },
  {
    id: "attachment-part",
    method: "PUT",
    path: "/api/attachments/:id/parts/:n",
    request: "send part 1 of the member's own fresh upload",
    cells: { ...SESSION_REQUIRED, otherAccount: err(404, "not_found", NOT_ITS_ATTACHMENT), foreignOrigin: BAD_ORIGIN, member: ok(200) },
  },
  {
    id: "attachment-upload",
    method: "GET",
    path: "/api/attachments/:id/upload",
    request: "read where the member's own upload stands",
    cells: { ...SESSION_REQUIRED, otherAccount: err(404, "not_found", NOT_ITS_ATTACHMENT), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "attachment-complete",
    method: "POST",
    path: "/api/attachments/:id/complete",
    request: "complete the member's own upload, whose one part was sent",
    cells: { ...SESSION_REQUIRED, otherAccount: err(404, "not_found", NOT_ITS_ATTACHMENT), foreignOrigin: BAD_ORIGIN, member: ok(200) },
  },
  {
    id: "attachment-download",
    method: "GET",
    path: "/api/attachments/:id",
    request: "download a complete attachment of the member's conversation",
    cells: { ...SESSION_REQUIRED, otherAccount: err(404, "not_found", NOT_ITS_ATTACHMENT), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "attachment-delete",
    method: "DELETE",
    path: "/api/attachments/:id",
    request: "delete the member's own complete attachment for everyone",
    cells: { ...SESSION_REQUIRED, otherAccount: err(404, "not_found", NOT_ITS_ATTACHMENT), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "recovery-status",
    method: "GET",
    path: "/api/recovery",
    request: "the account's recovery status",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(200, "its own account's"), foreignOrigin: READ_ANY_ORIGIN, member: ok(200) },
  },
  {
    id: "recovery-blob",
    method: "PUT",
    path: "/api/recovery/blob",
    request: "store the member's next recovery blob",
    cells: { ...SESSION_REQUIRED, otherAccount: err(400, "invalid_blob", "the blob is bound to the member's account"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "passphrase-put",
    method: "PUT",
    path: "/api/recovery/passphrase",
    request: "store the member's passphrase blob and token hash",
    cells: { ...SESSION_REQUIRED, otherAccount: err(400, "invalid_blob", "the blob is bound to the member's account"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "passphrase-delete",
    method: "DELETE",
    path: "/api/recovery/passphrase",
    request: "remove the account's passphrase",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(204, "its own account's"), foreignOrigin: BAD_ORIGIN, member: ok(204) },
  },
  {
    id: "recovery-lookup",
    method: "GET",
    path: "/api/recovery/:username",
    request: "fetch the member's recovery blob and log by username",
    cells: {
      anonymous: ok(200, "sealed to a 128-bit recovery key: safe to serve"),
      otherAccount: ok(200),
      revokedDevice: ok(200),
      expiredSession: ok(200),
      foreignOrigin: READ_ANY_ORIGIN,
      member: ok(200),
      admin: NO_ADMIN,
    },
  },
  {
    id: "passphrase-unlock",
    method: "POST",
    path: "/api/recovery/:username/passphrase",
    request: "unlock the member's passphrase blob with the right access token",
    cells: {
      anonymous: ok(200, "the access token is the credential"),
      otherAccount: ok(200, "the access token is the credential"),
      revokedDevice: ok(200, "the access token is the credential"),
      expiredSession: ok(200, "the access token is the credential"),
      foreignOrigin: BAD_ORIGIN,
      member: ok(200),
      admin: NO_ADMIN,
    },
  },
  {
    id: "realtime",
    method: "GET",
    path: "/api/realtime",
    request: "open the device's WebSocket (`Upgrade: websocket`)",
    cells: { ...SESSION_REQUIRED, otherAccount: ok(101, "its own account's hub"), foreignOrigin: err(403, "bad_origin", "upgrades are Origin-checked"), member: ok(101) },
  },
] as const satisfies readonly Endpoint[];

export type EndpointId = (typeof AUTHZ_TABLE)[number]["id"];
