/**
 * transport/: every call to the server, each response parsed with its protocol/api.ts schema before it
 * is returned. api.ts: the session's calls, requestJson (shared by all three clients) and ApiError;
 * link-api.ts: devices and the link relay; recovery-api.ts: recovery, callable without a session;
 * realtime.ts: the WebSocket with its reconnect backoff (backoff.ts). The three HTTP clients are made
 * once and reach operations only through the ClientContext (context.ts). No store access, no crypto.
 */
import { z } from "zod";
import {
  accountLogResponse,
  appendMembershipResponse,
  attachmentUploadResponse,
  completeAttachmentResponse,
  createAttachmentResponse,
  putAttachmentPartResponse,
  historySharesResponse,
  membershipLogResponse,
  challengeResponse,
  conversationListResponse,
  conversationResponse,
  epochListResponse,
  errorBody,
  messageListResponse,
  postEpochResponse,
  postMessageResponse,
  putReadStateResponse,
  putChatSettingsResponse,
  chatSettingsListResponse,
  type putChatSettingsRequest,
  profileResponse,
  type putProfileRequest,
  readStateListResponse,
  sessionResponse,
  signUpResponse,
  userSearchResponse,
  usernameAvailabilityResponse,
  type appendMembershipRequest,
  type createAttachmentRequest,
  type challengeRequest,
  type membershipEntryRequest,
  type putGroupMetaRequest,
  type createConversationRequest,
  type loginRequest,
  type postEpochRequest,
  type postMessageRequest,
  type putReadStateRequest,
  type signUpRequest,
} from "../../../../protocol/api.js";
import { toBase64url, type AccountId, type AttachmentId, type ConversationId, type DeviceId } from "../../../../protocol/index.js";
import { ApiError } from "./api-error.js";
import { PART_TIMEOUT_MS, PartNetworkError, putWithXhr, type PartOptions } from "./part-upload.js";

export { ApiError, isApiError } from "./api-error.js";

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** A request with no answer by then counts as a network failure (a half-open connection never ends). */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface RequestOptions<S extends z.ZodType> {
  readonly method: string;
  readonly schema: S;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** "omit" for calls made without a session (a new device linking, a browser restoring). */
  readonly credentials?: RequestCredentials;
  readonly timeoutMs?: number;
  /** Bytes sent as they are (an attachment part) instead of a JSON body. */
  readonly rawBody?: Uint8Array;
  /** Replaces the timeout signal (the caller combines its own timeout). */
  readonly signal?: AbortSignal;
}

/**
 * One JSON request of the API: sends the body, turns transport failures and error bodies into
 * ApiError, and parses the success body with its schema (never `as T`). Every API client calls this.
 */
export async function requestJson<S extends z.ZodType>(fetchFn: FetchFn, url: string, o: RequestOptions<S>): Promise<z.output<S>> {
  const headers: Record<string, string> = { accept: "application/json", ...o.headers };
  const init: RequestInit = { method: o.method, credentials: o.credentials ?? "same-origin", headers, signal: o.signal ?? AbortSignal.timeout(o.timeoutMs ?? REQUEST_TIMEOUT_MS) };
  if (o.rawBody !== undefined) {
    headers["content-type"] = "application/octet-stream";
    init.body = o.rawBody as Uint8Array<ArrayBuffer>;
  } else if (o.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(o.body);
  }
  let res: Response;
  try {
    res = await fetchFn(url, init);
  } catch (e) {
    // The caller's own abort (a cancelled upload) is not a network failure.
    if (o.signal?.aborted && !isTimeout(o.signal.reason)) throw o.signal.reason;
    throw new ApiError("network", `could not reach the server: ${e instanceof Error ? e.message : String(e)}`, 0, undefined, { cause: e });
  }
  let json: unknown;
  try {
    json = res.status === 204 ? undefined : await res.json();
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = errorBody.safeParse(json);
    const retryAfter = Number(res.headers.get("retry-after"));
    const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
    if (err.success) throw Object.assign(new ApiError(err.data.error.code, err.data.error.message, res.status, wait), { body: json });
    throw new ApiError(`http_${res.status}`, `${o.method} ${url} failed with HTTP ${res.status}`, res.status, wait);
  }
  return parseBody(o.schema, json, o.method, url, res.status);
}

function parseBody<S extends z.ZodType>(schema: S, json: unknown, method: string, url: string, status = 200): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError("bad_response", `${method} ${url}: unexpected response (${parsed.error.issues[0]?.message ?? "invalid"})`, status);
  return parsed.data;
}

function isTimeout(reason: unknown): boolean {
  return typeof reason === "object" && reason !== null && "name" in reason && reason.name === "TimeoutError";
}

/** A part through XMLHttpRequest (for upload progress), its answer read as requestJson reads one. */
async function putPartWithXhr(url: string, bytes: Uint8Array, o: PartOptions) {
  let answer;
  try {
    answer = await putWithXhr(url, bytes, o);
  } catch (e) {
    if (e instanceof PartNetworkError) throw new ApiError("network", e.message, 0, undefined, { cause: e });
    throw e;
  }
  const { status, json, retryAfter } = answer;
  if (status >= 200 && status < 300) return parseBody(putAttachmentPartResponse, json, "PUT", url);
  const err = errorBody.safeParse(json);
  if (err.success) throw new ApiError(err.data.error.code, err.data.error.message, status, retryAfter);
  throw new ApiError(`http_${status}`, `PUT ${url} failed with HTTP ${status}`, status, retryAfter);
}

/**
 * The HTTP contract of protocol/api.ts as typed calls. Every response body is parsed with its schema
 * before it reaches the caller; the session travels as an HttpOnly cookie the browser manages.
 */
export class Api {
  private readonly fetchFn: FetchFn;

  /** Parts go through XMLHttpRequest (for upload progress) only when no fetch was given (a browser). */
  private readonly useXhr: boolean;

  constructor(
    private readonly baseUrl = "",
    fetchFn?: FetchFn,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    // Calling a detached `fetch` throws "Illegal invocation" in browsers, hence the wrapper.
    this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
    this.useXhr = fetchFn === undefined;
  }

  private call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    return requestJson(this.fetchFn, this.baseUrl + path, { method, schema, body, timeoutMs: this.timeoutMs });
  }

  signUp(username: string, genesis: Uint8Array) {
    return this.call("POST", "/api/accounts", signUpResponse, { username, genesis: toBase64url(genesis) } satisfies z.input<typeof signUpRequest>);
  }

  challenge(accountId: AccountId, deviceId: DeviceId) {
    return this.call("POST", "/api/session/challenge", challengeResponse, { accountId, deviceId } satisfies z.input<typeof challengeRequest>);
  }

  login(req: z.input<typeof loginRequest>) {
    return this.call("POST", "/api/session", sessionResponse, req);
  }

  me() {
    return this.call("GET", "/api/me", sessionResponse);
  }

  /** Ends the session and clears its HttpOnly cookie (204 with or without a live session). */
  logOut() {
    return this.call("DELETE", "/api/session", z.unknown());
  }

  /**
   * An account's log by username, through the directory search (GET /api/users?username=), which answers
   * an unknown name with an empty list rather than a 404 the browser would log as a failed request. No
   * user found is reported as the same ApiError (not_found, 404) the direct lookup gave, so callers keep one
   * way to tell it.
   */
  async userByName(username: string) {
    const { users } = await this.call("GET", `/api/users?username=${encodeURIComponent(username)}`, userSearchResponse);
    const found = users[0];
    if (!found) throw new ApiError("not_found", `no user is called ${username}`, 404);
    return found;
  }

  /** Whether a sign-up can take `username` now (GET /api/usernames/:username, no session needed). */
  usernameAvailability(username: string) {
    return this.call("GET", `/api/usernames/${encodeURIComponent(username)}`, usernameAvailabilityResponse);
  }

  accountLog(accountId: AccountId) {
    return this.call("GET", `/api/accounts/${encodeURIComponent(accountId)}/log`, accountLogResponse);
  }

  createConversation(peer: AccountId) {
    return this.call("POST", "/api/conversations", conversationResponse, { peer } satisfies z.input<typeof createConversationRequest>);
  }

  conversations() {
    return this.call("GET", "/api/conversations", conversationListResponse);
  }

  /** POST /api/groups: a new group from its signed create entry. */
  createGroup(entry: Uint8Array) {
    return this.call("POST", "/api/groups", conversationResponse, { entry: toBase64url(entry) } satisfies z.input<typeof membershipEntryRequest>);
  }

  membership(conversationId: ConversationId) {
    return this.call("GET", `/api/conversations/${conversationId}/membership`, membershipLogResponse);
  }

  /** Appends a membership entry; an add in a group with history on may carry the new member's history shares. */
  postMembership(conversationId: ConversationId, entry: Uint8Array, historyShares?: readonly Uint8Array[]) {
    const body: z.input<typeof appendMembershipRequest> = { entry: toBase64url(entry) };
    if (historyShares?.length) body.historyShares = historyShares.map(toBase64url);
    return this.call("POST", `/api/conversations/${conversationId}/membership`, appendMembershipResponse, body);
  }

  /** The history shares addressed to this account in a group. */
  historyShares(conversationId: ConversationId) {
    return this.call("GET", `/api/conversations/${conversationId}/history-shares`, historySharesResponse);
  }

  /** Stores the group's newest sealed meta (204). */
  async putGroupMeta(conversationId: ConversationId, meta: Uint8Array): Promise<void> {
    await this.call("PUT", `/api/conversations/${conversationId}/meta`, z.undefined(), { meta: toBase64url(meta) } satisfies z.input<typeof putGroupMetaRequest>);
  }

  postEpoch(conversationId: ConversationId, bundle: Uint8Array) {
    return this.call("POST", `/api/conversations/${conversationId}/epochs`, postEpochResponse, { bundle: toBase64url(bundle) } satisfies z.input<typeof postEpochRequest>);
  }

  epochs(conversationId: ConversationId) {
    return this.call("GET", `/api/conversations/${conversationId}/epochs`, epochListResponse);
  }

  /**
   * Posts a sealed message; `attachments` names the complete blobs it carries (docs/API.md "Attachments");
   * `notify: false` asks the server to send no Web Push for it (sync/outbox.ts decides which).
   */
  postMessage(conversationId: ConversationId, envelope: Uint8Array, attachments?: readonly AttachmentId[], o: { notify?: boolean; mentions?: boolean } = {}) {
    const body: z.input<typeof postMessageRequest> = { envelope: toBase64url(envelope) };
    if (attachments?.length) body.attachments = [...attachments];
    if (o.notify === false) body.notify = false;
    else if (o.mentions === true) body.mentions = true;
    return this.call("POST", `/api/conversations/${conversationId}/messages`, postMessageResponse, body);
  }

  /** POST /api/conversations/:id/attachments: starts an upload of a blob of `size` ciphertext bytes. */
  createAttachment(conversationId: ConversationId, size: number) {
    return this.call("POST", `/api/conversations/${conversationId}/attachments`, createAttachmentResponse, { size } satisfies z.input<typeof createAttachmentRequest>);
  }

  /** GET /api/attachments/:id/upload: where an upload stands (the parts the server has). */
  attachmentUpload(id: AttachmentId) {
    return this.call("GET", `/api/attachments/${id}/upload`, attachmentUploadResponse);
  }

  /** POST /api/attachments/:id/complete: assembles the parts (a no-op when already complete). */
  completeAttachment(id: AttachmentId) {
    return this.call("POST", `/api/attachments/${id}/complete`, completeAttachmentResponse);
  }

  /** DELETE /api/attachments/:id: the uploader deletes the blob for everyone (204, also when already deleted). */
  async deleteAttachment(id: AttachmentId): Promise<void> {
    await this.call("DELETE", `/api/attachments/${id}`, z.undefined());
  }

  /**
   * PUT /api/attachments/:id/parts/:n with the part's bytes. `onProgress` hears the bytes of this part
   * sent so far: in a browser (no fetch of our own given) through XMLHttpRequest's upload events, as
   * fetch reports no upload progress; elsewhere only once, at the end. `signal` aborts.
   */
  putAttachmentPart(id: AttachmentId, n: number, bytes: Uint8Array, o: PartOptions = {}) {
    const url = `${this.baseUrl}/api/attachments/${id}/parts/${n}`;
    if (this.useXhr && typeof XMLHttpRequest === "function") return putPartWithXhr(url, bytes, o);
    const signals = [AbortSignal.timeout(PART_TIMEOUT_MS), ...(o.signal ? [o.signal] : [])];
    return requestJson(this.fetchFn, url, { method: "PUT", schema: putAttachmentPartResponse, rawBody: bytes, signal: AbortSignal.any(signals) }).then((r) => {
      o.onProgress?.(bytes.length);
      return r;
    });
  }

  /** Stores this account's sealed read state of a conversation (docs/API.md "Read state"); answers its version. */
  putReadState(conversationId: ConversationId, sealed: Uint8Array) {
    return this.call("PUT", `/api/me/read-state/${conversationId}`, putReadStateResponse, { sealed: toBase64url(sealed) } satisfies z.input<typeof putReadStateRequest>);
  }

  /** Stores this account's sealed profile (docs/API.md "Profiles"; 204). */
  async putProfile(sealed: Uint8Array): Promise<void> {
    await this.call("PUT", "/api/profile", z.undefined(), { sealed: toBase64url(sealed) } satisfies z.input<typeof putProfileRequest>);
  }

  /** An account's sealed profile as the server has it (`sealed` null when none). */
  profile(accountId: AccountId) {
    return this.call("GET", `/api/accounts/${accountId}/profile`, profileResponse);
  }

  /** This account's sealed read states written after version `after`, oldest first. */
  /** Stores this account's sealed settings of a conversation (docs/API.md "Chat settings"); 409 `stale_chat_settings` carries the stored revision in `body`. */
  putChatSettings(conversationId: ConversationId, sealed: Uint8Array) {
    return this.call("PUT", `/api/me/chat-settings/${conversationId}`, putChatSettingsResponse, { sealed: toBase64url(sealed) } satisfies z.input<typeof putChatSettingsRequest>);
  }

  chatSettings(after: number) {
    return this.call("GET", `/api/me/chat-settings?after=${after}`, chatSettingsListResponse);
  }

  readStates(after: number) {
    return this.call("GET", `/api/me/read-state?after=${after}`, readStateListResponse);
  }

  messages(conversationId: ConversationId, after: number, limit = 200) {
    return this.call("GET", `/api/conversations/${conversationId}/messages?after=${after}&limit=${limit}`, messageListResponse);
  }

  /**
   * GET /api/attachments/:id (docs/API.md): the blob's response with its body unread, for the caller to
   * stream (attachments/download.ts). No overall timeout, as a large file takes as long as it takes;
   * `signal` cancels. A refusal is an ApiError with the server's code, as for every other call.
   */
  async attachment(id: AttachmentId, signal?: AbortSignal): Promise<Response> {
    const url = `${this.baseUrl}/api/attachments/${id}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, { method: "GET", credentials: "same-origin", headers: { accept: "application/octet-stream" }, ...(signal ? { signal } : {}) });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new ApiError("network", `could not reach the server: ${e instanceof Error ? e.message : String(e)}`, 0, undefined, { cause: e });
    }
    if (res.ok) return res;
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    const err = errorBody.safeParse(json);
    if (err.success) throw new ApiError(err.data.error.code, err.data.error.message, res.status);
    throw new ApiError(`http_${res.status}`, `GET ${url} failed with HTTP ${res.status}`, res.status);
  }
}
