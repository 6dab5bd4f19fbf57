// An in-memory stand-in for the worker's HTTP API (protocol/api.ts), for fast client tests in Node. It
// checks what the real server checks where the client's correctness depends on it (login signatures,
// genesis validity, one bundle per epoch, idempotent posts), and offers hooks to misbehave.
import {
  decodeRecoveryBlobHeader,
  AccountId,
  AttachmentId,
  ConversationId,
  DeviceId,
  cryptoEnvFrom,
  decodeBundle,
  decodeEnvelope,
  decodeMembershipEntry,
  fromBase64url,
  membersAt,
  membershipEntryHash,
  toBase64url,
  verifyLog,
  verifyLogin,
} from "../../../protocol/index.js";
import type { Conversation, RealtimeServerFrame, StoredMessage } from "../../../protocol/api.js";
import type { FetchFn } from "../../../web/src/client/transport/api.js";
import type { SocketFactory } from "../../../web/src/client/transport/realtime.js";
import { FakeReadState } from "./fake-read-state.js";
import { FakeChatSettings } from "./fake-chat-settings.js";
import { FakeSocket } from "./fake-socket.js";
import { FakeUploads, UploadHttpError } from "./fake-uploads.js";

const env = cryptoEnvFrom(globalThis.crypto);

interface Account {
  username: string;
  log: string[];
}

interface Conv {
  conversation: Conversation;
  /** A group's membership log, as posted (the fake server stores entries in order, unchecked). */
  membership?: string[];
  epochs: Map<number, string>;
  /** The newest epoch stored the honest way (POST or storeEpoch); what a test plants directly does not count. */
  newestPosted?: number;
  messages: StoredMessage[];
  byClientId: Map<string, number>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** More fields of the error body (a 409 stale_chat_settings names the stored revision). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export class FakeServer {
  readonly origin = "http://127.0.0.1:8787";
  readonly accounts = new Map<string, Account>();
  readonly conversations = new Map<string, Conv>();
  private readonly nonces = new Map<string, string>();
  private readonly sessions = new Map<string, { accountId: AccountId; deviceId: DeviceId }>();
  /** Each account's recovery blob (docs/API.md "Recovery"): only the calls a signing-up client makes. */
  readonly recoveryBlobs = new Map<string, { counter: number; blob: string }>();
  private clock = 1_700_000_000_000;
  /** Requests seen, as "METHOD path", for assertions. */
  readonly requests: string[] = [];
  /** Set to make every request fail as if the network were down. */
  offline = false;
  /** Answers for the next message posts, in order: a refusal (nothing is stored), or null to let one through. */
  readonly refuseNextPosts: Array<{ status: number; code: string } | null> = [];
  /** How many of the next message posts are stored but answered with a network failure. */
  loseNextPostResponses = 0;
  /** Open realtime sockets and the account each was authenticated as. */
  readonly sockets: Array<{ socket: FakeSocket; accountId: AccountId }> = [];
  /** Set to stop pushing frames (as if pushes were lost). */
  pushPaused = false;
  /** Set to refuse realtime handshakes (HTTP still works). */
  refuseSockets = false;
  /**
   * Attachment blobs served by GET /api/attachments/:id (docs/API.md) to members of their conversation,
   * as tests put them or as completed uploads (`uploads`) assemble them. `withoutLength`: sent with no Content-Length,
   * so only the stream's own checks can catch a wrong length; `chunkBytes`: the body's slice size.
   */
  readonly attachments = new Map<string, { conversationId: string; bytes: Uint8Array; withoutLength?: boolean; chunkBytes?: number }>();
  /** The upload routes (docs/API.md "Attachments"): create, parts, status, complete, delete. */
  readonly uploads = new FakeUploads();
  /** Each account's sealed read states (docs/API.md "Read state"). */
  readonly readState = new FakeReadState();
  readonly chatSettings = new FakeChatSettings();
  /** Each account's sealed profile as base64url (docs/API.md "Profiles"); tests may put an older one back. */
  readonly profiles = new Map<string, string>();

  accountIdOf(username: string): AccountId {
    for (const [id, a] of this.accounts) if (a.username === username) return id as AccountId;
    throw new Error(`no account ${username}`);
  }

  /** Serves `log` for the username from now on (a server that lies, or an account re-registered). */
  replaceLog(username: string, log: string[], accountId?: AccountId): void {
    const old = this.accountIdOf(username);
    const a = this.accounts.get(old)!;
    if (accountId && accountId !== old) {
      this.accounts.delete(old);
      this.accounts.set(accountId, { username, log });
    } else a.log = log;
  }

  /** A fetch with its own cookie jar: one per simulated browser. */
  fetchFor(): FetchFn {
    return this.browser().fetch;
  }

  /** A simulated browser: fetch and WebSocket sharing one cookie jar. */
  browser(): { fetch: FetchFn; createSocket: SocketFactory } {
    const jar: { cookie?: string } = {};
    const fetch: FetchFn = async (input, init) => {
      if (this.offline) throw new TypeError("Failed to fetch");
      const url = new URL(input, this.origin);
      const method = init.method ?? "GET";
      this.requests.push(`${method} ${url.pathname}`);
      const body = typeof init.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
      const raw = init.body instanceof Uint8Array ? init.body : undefined;
      const isPost = method === "POST" && /\/messages$/.test(url.pathname);
      const blob = method === "GET" ? url.pathname.match(/^\/api\/attachments\/([^/]+)$/) : null;
      try {
        if (blob) return this.serveAttachment(blob[1]!, jar.cookie, init.signal ?? undefined);
        if (isPost) {
          const refusal = this.refuseNextPosts.shift();
          if (refusal) throw new HttpError(refusal.status, refusal.code);
        }
        const part = method === "PUT" ? Number(url.pathname.match(/\/parts\/(\d+)$/)?.[1]) : NaN;
        if (this.uploads.dropParts.delete(part)) throw new TypeError("Failed to fetch (connection dropped)");
        if (!Number.isNaN(part)) await this.uploads.partGate?.(part);
        const upload = this.uploadRoute(method, url.pathname, body, raw, jar.cookie);
        if (upload) return upload.json === undefined ? new Response(null, { status: upload.status }) : new Response(JSON.stringify(upload.json), { status: upload.status, headers: { "content-type": "application/json" } });
        const { json, setCookie } = await this.route(method, url, body, jar.cookie);
        if (setCookie) jar.cookie = setCookie;
        if (isPost && this.loseNextPostResponses > 0) {
          this.loseNextPostResponses--;
          throw new TypeError("Failed to fetch (response lost)");
        }
        return new Response(JSON.stringify(json), { status: 200, headers: { "content-type": "application/json" } });
      } catch (e) {
        if (!(e instanceof HttpError || e instanceof UploadHttpError)) throw e;
        return new Response(JSON.stringify({ error: { code: e.code, message: `refused: ${e.code}` }, ...(e instanceof HttpError ? e.extra : {}) }), { status: e.status });
      }
    };
    const createSocket: SocketFactory = () => {
      const socket = new FakeSocket();
      const session = jar.cookie ? this.sessions.get(jar.cookie) : undefined;
      if (this.offline || this.refuseSockets || !session) {
        // A refused handshake: the browser reports only a close.
        socket.serverClose(1006);
        return socket;
      }
      this.sockets.push({ socket, accountId: session.accountId });
      socket.onServerClose = () => this.sockets.splice(this.sockets.findIndex((s) => s.socket === socket), 1);
      socket.serverSend({ type: "hello", deviceId: session.deviceId });
      return socket;
    };
    return { fetch, createSocket };
  }

  /** Pushes a frame to every open socket of these accounts (as the worker's account hubs do). */
  push(accountIds: readonly string[], frame: RealtimeServerFrame): void {
    if (this.pushPaused) return;
    for (const s of this.sockets) if (accountIds.includes(s.accountId)) s.socket.serverSend(frame);
  }

  /** Drops every realtime connection (a server restart). */
  dropSockets(): void {
    for (const s of [...this.sockets]) s.socket.serverClose(1006);
  }

  /** The blob as a streamed body: unknown ids and non-members alike get 404 not_found. */
  private serveAttachment(id: string, cookie: string | undefined, signal: AbortSignal | undefined): Response {
    const s = this.session(cookie);
    const a = this.attachments.get(id);
    if (!a && this.uploads.byId.get(id)?.deleted) throw new HttpError(404, "deleted");
    if (!a) throw new HttpError(404, "not_found");
    this.conv(a.conversationId, s.accountId);
    const step = a.chunkBytes ?? 65_536;
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (signal?.aborted) return controller.error(signal.reason);
        if (at >= a.bytes.length) return controller.close();
        controller.enqueue(a.bytes.slice(at, at + step));
        at += step;
      },
    });
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (!a.withoutLength) headers["content-length"] = String(a.bytes.length);
    return new Response(body, { status: 200, headers });
  }

  private session(cookie: string | undefined) {
    const s = cookie ? this.sessions.get(cookie) : undefined;
    if (!s) throw new HttpError(401, "unauthenticated");
    return s;
  }

  private conv(id: string, accountId: AccountId): Conv {
    const c = this.conversations.get(id);
    if (!c || !c.conversation.members.includes(accountId)) throw new HttpError(404, "not_found");
    return c;
  }

  private async route(method: string, url: URL, body: Record<string, unknown> | undefined, cookie: string | undefined): Promise<{ json: unknown; setCookie?: string }> {
    const p = url.pathname;
    let m: RegExpMatchArray | null;
    if (method === "POST" && p === "/api/accounts") {
      const genesis = String(body?.genesis);
      const state = await verifyLog(env, [fromBase64url(genesis)]);
      if (state.username !== body?.username) throw new HttpError(400, "invalid_request");
      if ([...this.accounts.values()].some((a) => a.username === state.username)) throw new HttpError(409, "username_taken");
      this.accounts.set(state.accountId, { username: state.username, log: [genesis] });
      return { json: { accountId: state.accountId } };
    }
    if (method === "POST" && p === "/api/session/challenge") {
      // As the worker: a device the verified log no longer lists (revoked, or signed out by a reset) is refused.
      const a = this.accounts.get(String(body?.accountId));
      if (a && !(await verifyLog(env, a.log.map(fromBase64url))).devices.some((d) => d.deviceId === body?.deviceId)) throw new HttpError(403, "forbidden");
      const nonce = toBase64url(env.randomBytes(32));
      this.nonces.set(nonce, `${String(body?.accountId)}/${String(body?.deviceId)}`);
      return { json: { nonce } };
    }
    if (method === "POST" && p === "/api/session") {
      const accountId = AccountId.parse(String(body?.accountId));
      const deviceId = DeviceId.parse(String(body?.deviceId));
      const nonce = String(body?.nonce);
      if (this.nonces.get(nonce) !== `${accountId}/${deviceId}`) throw new HttpError(401, "bad_challenge");
      this.nonces.delete(nonce);
      const a = this.accounts.get(accountId);
      if (!a) throw new HttpError(401, "unknown_account");
      const state = await verifyLog(env, a.log.map(fromBase64url));
      const device = state.devices.find((d) => d.deviceId === deviceId);
      if (!device) throw new HttpError(401, "unknown_device");
      await verifyLogin(env, device.signingKey, fromBase64url(String(body?.signature)), { nonce: fromBase64url(nonce), origin: this.origin, accountId, deviceId, expiresAt: Number(body?.expiresAt) }, Date.now()).catch(() => {
        throw new HttpError(401, "bad_signature");
      });
      const token = toBase64url(env.randomBytes(16));
      this.sessions.set(token, { accountId, deviceId });
      return { json: { accountId, deviceId, username: a.username }, setCookie: token };
    }
    if (method === "GET" && (m = p.match(/^\/api\/recovery\/([^/]+)$/))) {
      // No session (docs/API.md "Recovery"): the lookup a restoring browser, or a refused device, makes.
      const name = decodeURIComponent(m[1]!);
      for (const [id, a] of this.accounts) if (a.username === name) return { json: { accountId: id, blob: toBase64url(new Uint8Array(64)), passphrase: null, lastUsedAt: null, log: a.log } };
      throw new HttpError(404, "not_found");
    }
    if (method === "GET" && p === "/api/me") {
      const s = this.session(cookie);
      return { json: { ...s, username: this.accounts.get(s.accountId)!.username } };
    }
    if (method === "GET" && p === "/api/users") {
      this.session(cookie);
      const name = url.searchParams.get("username") ?? "";
      for (const [id, a] of this.accounts) if (a.username === name) return { json: { users: [{ username: name, accountId: id, log: a.log }] } };
      return { json: { users: [] } };
    }
    if (method === "GET" && (m = p.match(/^\/api\/usernames\/([^/]+)$/))) {
      const name = decodeURIComponent(m[1]!);
      return { json: { username: name, available: ![...this.accounts.values()].some((a) => a.username === name) } };
    }
    if (method === "GET" && (m = p.match(/^\/api\/users\/([^/]+)$/))) {
      this.session(cookie);
      const name = decodeURIComponent(m[1]!);
      for (const [id, a] of this.accounts) if (a.username === name) return { json: { username: name, accountId: id, log: a.log } };
      throw new HttpError(404, "not_found");
    }
    if (method === "GET" && (m = p.match(/^\/api\/accounts\/([^/]+)\/log$/))) {
      this.session(cookie);
      const a = this.accounts.get(decodeURIComponent(m[1]!));
      if (!a) throw new HttpError(404, "not_found");
      return { json: { username: a.username, accountId: m[1], log: a.log } };
    }
    if (method === "POST" && p === "/api/conversations") {
      const s = this.session(cookie);
      const peer = String(body?.peer);
      if (!this.accounts.has(peer) || peer === s.accountId) throw new HttpError(404, "not_found");
      for (const c of this.conversations.values()) if (c.conversation.members.includes(s.accountId) && c.conversation.members.includes(peer as AccountId)) return { json: { conversation: c.conversation } };
      const id = ConversationId.fromBytes(env.randomBytes(16));
      const conversation: Conversation = { id, kind: "direct", members: [s.accountId, peer as AccountId], createdAt: this.clock++, lastSeq: 0 };
      this.conversations.set(id, { conversation, epochs: new Map(), messages: [], byClientId: new Map() });
      this.push(conversation.members, { type: "conversation", conversationId: id });
      return { json: { conversation } };
    }
    if (method === "GET" && p === "/api/conversations") {
      const s = this.session(cookie);
      return { json: { conversations: [...this.conversations.values()].filter((c) => c.conversation.members.includes(s.accountId)).map((c) => c.conversation) } };
    }
    const group = await this.groupRoute(method, p, body, cookie);
    if (group) return group;
    if ((m = p.match(/^\/api\/conversations\/([^/]+)\/epochs$/))) {
      const c = this.conv(m[1]!, this.session(cookie).accountId);
      if (method === "GET") return { json: { epochs: [...c.epochs].sort((a, b) => a[0] - b[0]).map(([epoch, bundle]) => ({ epoch, bundle })) } };
      const bundle = String(body?.bundle);
      const decoded = decodeBundle(fromBase64url(bundle));
      const epoch = decoded.epoch;
      // As the worker: a group epoch must be made for the group's current membership head.
      if (c.membership && toBase64url(decoded.membershipHead) !== toBase64url(await this.membershipHead(c))) throw new HttpError(409, "stale_membership");
      if (c.epochs.has(epoch)) throw new HttpError(409, "epoch_exists");
      // As the real server: epochs advance by exactly one.
      if (epoch !== (c.epochs.size === 0 ? 0 : Math.max(...c.epochs.keys()) + 1)) throw new HttpError(400, "invalid_epoch");
      c.epochs.set(epoch, bundle);
      c.newestPosted = epoch;
      this.push(c.conversation.members, { type: "epoch", conversationId: c.conversation.id, epoch });
      return { json: { epoch } };
    }
    if ((m = p.match(/^\/api\/conversations\/([^/]+)\/messages$/))) {
      const c = this.conv(m[1]!, this.session(cookie).accountId);
      if (method === "GET") {
        const after = Number(url.searchParams.get("after") ?? 0);
        const limit = Number(url.searchParams.get("limit") ?? 100);
        const rest = c.messages.filter((x) => x.seq > after);
        return { json: { messages: rest.slice(0, limit), more: rest.length > limit } };
      }
      const envelope = String(body?.envelope);
      const header = decodeEnvelope(fromBase64url(envelope)).header;
      const cmid = header.clientMessageId;
      const dup = c.byClientId.get(cmid);
      if (dup !== undefined) return { json: { seq: dup, duplicate: true } };
      // As the real server: nothing new under an epoch older than the newest.
      if ((c.newestPosted ?? -1) > header.epoch) throw new HttpError(409, "stale_epoch");
      const attached = body?.attachments;
      if (attached !== undefined && !Array.isArray(attached)) throw new HttpError(400, "invalid_body");
      const ids = (attached ?? []).map(String);
      this.uploads.checkAttach(ids, c.conversation.id, this.session(cookie).accountId, (id) => this.attachments.get(id)?.conversationId === c.conversation.id);
      const seq = c.messages.length + 1;
      this.uploads.attach(ids, seq);
      const stored = { seq, envelope, receivedAt: this.clock++ };
      c.messages.push(stored);
      c.byClientId.set(cmid, seq);
      c.conversation = { ...c.conversation, lastSeq: seq };
      this.push(c.conversation.members, { type: "message", conversationId: c.conversation.id, ...stored });
      return { json: { seq, duplicate: false } };
    }
    if (method === "PUT" && (m = p.match(/^\/api\/me\/read-state\/([^/]+)$/))) {
      const s = this.session(cookie);
      const c = this.conv(m[1]!, s.accountId);
      const version = this.readState.put(s.accountId, c.conversation.id, String(body?.sealed));
      // As the worker: the account's other devices are nudged (the fake knows sockets by account only).
      this.push([s.accountId], { type: "read-state", version });
      return { json: { version } };
    }
    if (method === "PUT" && (m = p.match(/^\/api\/me\/chat-settings\/([^/]+)$/))) {
      const s = this.session(cookie);
      const c = this.conv(m[1]!, s.accountId);
      const put = this.chatSettings.put(s.accountId, c.conversation.id, String(body?.sealed));
      if ("stale" in put) throw new HttpError(409, "stale_chat_settings", { revision: put.stale });
      this.push([s.accountId], { type: "chat-settings", version: put.version });
      return { json: { version: put.version, revision: this.chatSettings.byAccount.get(s.accountId)!.get(c.conversation.id)!.revision } };
    }
    if (method === "GET" && p === "/api/me/chat-settings") {
      return { json: this.chatSettings.list(this.session(cookie).accountId, Number(url.searchParams.get("after") ?? 0)) };
    }
    if (method === "GET" && p === "/api/me/read-state") {
      return { json: this.readState.list(this.session(cookie).accountId, Number(url.searchParams.get("after") ?? 0)) };
    }
    if (method === "PUT" && p === "/api/profile") {
      this.profiles.set(this.session(cookie).accountId, String(body?.sealed));
      return { json: undefined };
    }
    if (method === "GET" && (m = p.match(/^\/api\/accounts\/([^/]+)\/profile$/))) {
      this.session(cookie);
      const sealed = this.profiles.get(m[1]!);
      if (sealed === undefined) return { json: { sealed: null, updatedAt: null } };
      return { json: { sealed, updatedAt: 1 } };
    }
    if (method === "GET" && p === "/api/recovery") {
      const r = this.recoveryBlobs.get(this.session(cookie).accountId);
      return { json: { blob: r?.blob ?? null, counter: r?.counter ?? 0, passphraseBlob: null, lastUsedAt: null } };
    }
    if (method === "PUT" && p === "/api/recovery/blob") {
      const accountId = this.session(cookie).accountId;
      const blob = String(body?.blob);
      const counter = decodeRecoveryBlobHeader(fromBase64url(blob)).counter;
      if (counter <= (this.recoveryBlobs.get(accountId)?.counter ?? 0)) throw new HttpError(409, "stale_blob");
      this.recoveryBlobs.set(accountId, { counter, blob });
      return { json: {} };
    }
    throw new HttpError(404, "not_found");
  }

  /** The upload routes (fake-uploads.ts); undefined for any other path. */
  private uploadRoute(method: string, p: string, body: Record<string, unknown> | undefined, raw: Uint8Array | undefined, cookie: string | undefined): { json: unknown; status: number } | undefined {
    let m: RegExpMatchArray | null;
    if (method === "POST" && (m = p.match(/^\/api\/conversations\/([^/]+)\/attachments$/))) {
      const s = this.session(cookie);
      const c = this.conv(m[1]!, s.accountId);
      return { json: this.uploads.create(c.conversation.id, s.accountId, body?.size, () => AttachmentId.fromBytes(env.randomBytes(16))), status: 201 };
    }
    m = p.match(/^\/api\/attachments\/([^/]+)(?:\/(upload|complete)|\/parts\/(\d+))?$/);
    if (!m || (method === "GET" && !m[2])) return undefined;
    const s = this.session(cookie);
    const id = m[1]!;
    const isMember = (conversationId: string) => this.conversations.get(conversationId)?.conversation.members.includes(s.accountId) ?? false;
    if (method === "PUT" && m[3]) return { json: this.uploads.putPart(id, Number(m[3]), raw, s.accountId, isMember), status: 200 };
    if (method === "GET" && m[2] === "upload") return { json: this.uploads.status(id, s.accountId, isMember), status: 200 };
    if (method === "POST" && m[2] === "complete") {
      const done = this.uploads.complete(id, s.accountId, isMember);
      if (done.blob) this.attachments.set(id, { conversationId: this.uploads.byId.get(id)!.conversationId, bytes: done.blob });
      return { json: done.json, status: 200 };
    }
    if (method === "DELETE" && !m[2] && !m[3]) {
      this.uploads.delete(id, s.accountId, isMember);
      this.attachments.delete(id);
      return { json: undefined, status: 204 };
    }
    throw new HttpError(404, "not_found");
  }

  private async membershipHead(c: Conv): Promise<Uint8Array> {
    return membershipEntryHash(env, decodeMembershipEntry(fromBase64url(c.membership!.at(-1)!)).body);
  }

  /** The group routes (docs/API.md "Groups"): create, read and extend the membership log, the sealed name. */
  private async groupRoute(method: string, p: string, body: Record<string, unknown> | undefined, cookie: string | undefined): Promise<{ json: unknown } | undefined> {
    let m: RegExpMatchArray | null;
    if (method === "POST" && p === "/api/groups") {
      this.session(cookie);
      const entry = String(body?.entry);
      const e = decodeMembershipEntry(fromBase64url(entry));
      const members = membersAt([fromBase64url(entry)], 0).map((x) => x.accountId);
      const conversation: Conversation = { id: e.conversationId, kind: "group", members, createdAt: this.clock++, lastSeq: 0, meta: null };
      this.conversations.set(e.conversationId, { conversation, epochs: new Map(), messages: [], byClientId: new Map(), membership: [entry] });
      this.push(members, { type: "conversation", conversationId: e.conversationId });
      return { json: { conversation } };
    }
    if ((m = p.match(/^\/api\/conversations\/([^/]+)\/membership$/))) {
      const c = this.conv(m[1]!, this.session(cookie).accountId);
      if (!c.membership) throw new HttpError(404, "not_found");
      if (method === "GET") return { json: { entries: c.membership } };
      const entry = String(body?.entry);
      if (decodeMembershipEntry(fromBase64url(entry)).seq !== c.membership.length) throw new HttpError(409, "membership_conflict");
      this.appendMembership(c, entry);
      return { json: { seq: c.membership.length - 1 } };
    }
    if ((m = p.match(/^\/api\/conversations\/([^/]+)\/history-shares$/))) {
      this.conv(m[1]!, this.session(cookie).accountId);
      return { json: { shares: [] } };
    }
    if (method === "PUT" && (m = p.match(/^\/api\/conversations\/([^/]+)\/meta$/))) {
      const c = this.conv(m[1]!, this.session(cookie).accountId);
      if (c.conversation.kind !== "group") throw new HttpError(400, "invalid_meta");
      c.conversation = { ...c.conversation, meta: String(body?.meta) };
      return { json: undefined };
    }
    return undefined;
  }

  /** Appends an entry to a group's log as stored (a member's post, or an operator editing the rows). */
  appendMembership(c: Conv, entry: string): void {
    const before = c.conversation.members;
    c.membership!.push(entry);
    const members = membersAt(c.membership!.map(fromBase64url), c.membership!.length - 1).map((x) => x.accountId);
    c.conversation = { ...c.conversation, members };
    const seq = c.membership!.length - 1;
    this.push([...new Set([...before, ...members])], { type: "membership", conversationId: c.conversation.id, seq });
  }
}
