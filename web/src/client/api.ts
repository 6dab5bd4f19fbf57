import type { z } from "zod";
import {
  accountLogResponse,
  challengeResponse,
  conversationListResponse,
  conversationResponse,
  epochListResponse,
  errorBody,
  messageListResponse,
  postEpochResponse,
  postMessageResponse,
  sessionResponse,
  signUpResponse,
  type challengeRequest,
  type createConversationRequest,
  type loginRequest,
  type postEpochRequest,
  type postMessageRequest,
  type signUpRequest,
} from "../../../protocol/api.js";
import { toBase64url, type AccountId, type ConversationId, type DeviceId } from "../../../protocol/index.js";

/**
 * A refused or failed HTTP call. `code` is the server's stable code, or one of ours: "network" (no
 * response), "bad_response" (a body that fails its schema), "http_<status>" (an error without a body).
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** A request with no answer by then counts as a network failure (a half-open connection never ends). */
export const REQUEST_TIMEOUT_MS = 20_000;

/**
 * The HTTP contract of protocol/api.ts as typed calls. Every response body is parsed with its schema
 * before it reaches the caller; the session travels as an HttpOnly cookie the browser manages.
 */
export class Api {
  private readonly fetchFn: FetchFn;

  constructor(
    private readonly baseUrl = "",
    fetchFn?: FetchFn,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    // Calling a detached `fetch` throws "Illegal invocation" in browsers, hence the wrapper.
    this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
  }

  private async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const init: RequestInit = { method, credentials: "same-origin", headers: { accept: "application/json" }, signal: AbortSignal.timeout(this.timeoutMs) };
    if (body !== undefined) {
      init.headers = { ...init.headers, "content-type": "application/json" };
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.baseUrl + path, init);
    } catch (e) {
      throw new ApiError("network", `could not reach the server: ${e instanceof Error ? e.message : String(e)}`, 0);
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = errorBody.safeParse(json);
      if (err.success) throw new ApiError(err.data.error.code, err.data.error.message, res.status);
      throw new ApiError(`http_${res.status}`, `${method} ${path} failed with HTTP ${res.status}`, res.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError("bad_response", `${method} ${path}: unexpected response (${parsed.error.issues[0]?.message ?? "invalid"})`, res.status);
    return parsed.data;
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

  userByName(username: string) {
    return this.call("GET", `/api/users/${encodeURIComponent(username)}`, accountLogResponse);
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

  postEpoch(conversationId: ConversationId, bundle: Uint8Array) {
    return this.call("POST", `/api/conversations/${conversationId}/epochs`, postEpochResponse, { bundle: toBase64url(bundle) } satisfies z.input<typeof postEpochRequest>);
  }

  epochs(conversationId: ConversationId) {
    return this.call("GET", `/api/conversations/${conversationId}/epochs`, epochListResponse);
  }

  postMessage(conversationId: ConversationId, envelope: Uint8Array) {
    return this.call("POST", `/api/conversations/${conversationId}/messages`, postMessageResponse, { envelope: toBase64url(envelope) } satisfies z.input<typeof postMessageRequest>);
  }

  messages(conversationId: ConversationId, after: number, limit = 200) {
    return this.call("GET", `/api/conversations/${conversationId}/messages?after=${after}&limit=${limit}`, messageListResponse);
  }
}
