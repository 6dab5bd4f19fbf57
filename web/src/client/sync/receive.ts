import { MAX_PAGE, type StoredMessage } from "../../../../protocol/api.js";
import {
  advanceChain,
  decodeEnvelope,
  envelopeHash,
  fromBase64url,
  isProtocolError,
  openEnvelope,
  startOpenEnvelope,
  type AccountState,
  type ConversationId,
  type DecodedEnvelope,
  type MessageBody,
} from "../../../../protocol/index.js";
import { isApiError } from "../transport/api.js";
import { ensureContactById } from "../identity/contacts.js";
import type { ClientContext } from "../context.js";
import { getChatPrefs } from "../chats/chat-controls.js";
import { hiddenByBlock } from "../chats/chat-order.js";
import { requireConversation } from "../conversations/conversations.js";
import { getAccount, getChains, getContact, getConversation, getCursor, getMessage, getMessages, putConversation } from "../store/db.js";
import { putReceivedMessages } from "../store/received-rows.js";
import { epochFor } from "../conversations/epochs.js";
import { withLock } from "../store/lock.js";
import { rowFields, type ContentFields } from "../conversations/content-rows.js";
import { applyStored, finishPage, pageEffects, writesOthers } from "./apply-content.js";
import { noteCitedHead, refreshLog } from "../identity/logs.js";
import { isAfterRemoval } from "../identity/removals.js";
import { StoredEffects, inertReceipt, isReceipt, movesConversation, receiptProblem } from "./receipt-check.js";
import { notifyStoredFromOthers } from "./stored-hook.js";
import { notifyPageStored } from "../search/stored-signal.js";
import type { ChainRow, ConversationRow, EnvelopeRow, EpochRow, MessageRow } from "../store/rows.js";
import { isEpochMember, senderState } from "./sender-checks.js";
import { fetchProfiles, noteProfileMessage } from "../profiles/receive-profile.js";
import { receiveEnv } from "./verify-pool.js";

/**
 * Receiving: envelopes are fetched after the cursor in server order, verified and decrypted against the
 * verified logs and epoch keys, checked against the sender's chain (replays dropped, gaps and broken
 * links recorded) and cached decrypted. One's own messages coming back are matched by client message id.
 *
 * A fetched page is handled in two steps: first every envelope is judged (decoded, verified, decrypted:
 * crypto and the occasional log or epoch fetch, no writes), then everything judged is written in ONE
 * IndexedDB transaction (envelopes, messages, chains, the conversation and the cursor). IndexedDB
 * transactions close when they wait on anything but IndexedDB, so the crypto cannot run inside one; and
 * one transaction per page instead of several per message is what makes a long history load quickly
 * (docs/BENCHMARKS.md, figure 3). The next page is fetched while one is being judged.
 */

/** What judging one stored message decided, before anything is written. */
type Judged =
  | { readonly kind: "open"; readonly m: StoredMessage; readonly bytes: Uint8Array; readonly e: DecodedEnvelope; readonly body: MessageBody; readonly hash: Uint8Array }
  | { readonly kind: "reject"; readonly m: StoredMessage; readonly bytes: Uint8Array; readonly why: unknown }
  /** Written before this account joined a group whose history is not shared: not for it to read. */
  | { readonly kind: "skip"; readonly m: StoredMessage; readonly bytes: Uint8Array };

/** The most pushed messages taken as one page (receivePushedRun). */
const PAGE = 200;
/**
 * Messages fetched per request by drain(), the server's most (MAX_PAGE): a history of 10,000 loads in 20
 * pages instead of 50, so 30 fewer transactions, each with its own waits on the IndexedDB backend, and
 * fewer fetches (docs/decisions.md "Linking and restoring: less work per message").
 */
const FETCH_PAGE = MAX_PAGE;

/** Lookups that stay the same across a page: epoch keys, and senders already known as contacts. */
interface PageCache {
  readonly self: string;
  readonly epochs: Map<number, EpochRow>;
  readonly knownSenders: Set<string>;
  /** Sender states by account, device and cited log position; cleared when a log is fetched anew. */
  readonly senders: Map<string, { state: AccountState; removed: boolean }>;
}

function pageCache(self: string): PageCache {
  return { self, epochs: new Map(), knownSenders: new Set(), senders: new Map() };
}

/** An envelope whose checks passed and whose crypto (verify, decrypt, hash) is under way. */
interface Opening {
  readonly opening: Promise<MessageBody>;
}

/**
 * Starts opening an envelope (startOpenEnvelope: the checks now, the crypto in the promise), then refuses
 * it if its device was removed and this client had verified the removal before the server placed the
 * envelope (identity/removals.ts): nothing new is shown from a removed device. The removal is checked at
 * the same point of the page's order as when each envelope was opened in turn: only the crypto, which
 * changes nothing stored, now finishes later.
 */
async function open(ctx: ClientContext, conv: ConversationRow, e: DecodedEnvelope, seq: number, cache: PageCache): Promise<Opening | "retry" | "not_shared" | { error: unknown }> {
  const started = await openChecked(ctx, conv, e, cache);
  if (typeof started === "string" || "error" in started) return started;
  const sender = cache.senders.get(senderKey(e));
  if (sender?.removed) {
    // Read again: the removal may have been verified during this page (a newer envelope cited it).
    const fresh = await getConversation(ctx.db, conv.id);
    if (isAfterRemoval(fresh?.removedAfter, e.header.senderDeviceId, seq)) {
      started.opening.catch(() => undefined);
      return { error: new Error("sent by a device after its removal was verified (identity/removals.ts)") };
    }
  }
  return started;
}

function senderKey(e: DecodedEnvelope): string {
  return `${e.header.senderAccountId}/${e.header.senderDeviceId}/${e.header.senderLogSeq}`;
}

async function openChecked(ctx: ClientContext, conv: ConversationRow, e: DecodedEnvelope, cache: PageCache): Promise<Opening | "retry" | "not_shared" | { error: unknown }> {
  let epoch: EpochRow | "retry" | "invalid" | "not_shared" | undefined = cache.epochs.get(e.header.epoch);
  if (!epoch) {
    epoch = await epochFor(ctx, conv, e.header.epoch);
    if (epoch === "retry" || epoch === "not_shared") return epoch;
    if (epoch === "invalid") return { error: new Error(`epoch ${e.header.epoch} bundle was refused`) };
    cache.epochs.set(e.header.epoch, epoch);
  }
  const sender = e.header.senderAccountId;
  if (!isEpochMember(epoch, sender)) return { error: new Error("sender is not a member of this epoch") };
  if (sender !== cache.self && !cache.knownSenders.has(sender)) {
    // A group member never seen before becomes a contact on first sight, as in membership.ts.
    try {
      if (!(await getContact(ctx.db, sender))) await ensureContactById(ctx, sender);
    } catch (err) {
      return isApiError(err) ? "retry" : { error: err };
    }
    cache.knownSenders.add(sender);
  }
  const key = senderKey(e);
  const params = async () => {
    let judged = cache.senders.get(key);
    if (!judged) cache.senders.set(key, (judged = await senderState(ctx, e.header)));
    return { conversationId: conv.id, sender: judged.state, ck: epoch.ck, keyId: epoch.keyId };
  };
  try {
    // The checks up to the cited head throw here; the signature, key id and AEAD are judged in `opening`.
    const opening = startOpenEnvelope(receiveEnv(ctx.env), e, await params());
    opening.catch(() => undefined);
    return { opening };
  } catch (err) {
    if (!isProtocolError(err, "unknown_head")) return { error: err };
  }
  // The envelope cites a newer head of its sender's log: fetch it, check it extends, try once more (all
  // awaited here, as before: a failure of this rare path decides between refusing and retrying).
  try {
    await refreshLog(ctx, sender);
    cache.senders.clear();
    const body = await openEnvelope(ctx.env, e, await params());
    return { opening: Promise.resolve(body) };
  } catch (err) {
    if (isProtocolError(err, "unknown_head")) await noteCitedHead(ctx, sender, e.header.senderLogSeq);
    return isProtocolError(err) && err.code !== "unknown_head" ? { error: err } : "retry";
  }
}

/** A message judged as far as its crypto: either decided, or its verify, decrypt and hash under way. */
type Started = Judged | { readonly kind: "opening"; readonly m: StoredMessage; readonly bytes: Uint8Array; readonly e: DecodedEnvelope; readonly opening: Promise<MessageBody>; readonly hash: Promise<Uint8Array> };

/**
 * Decodes, checks and starts opening one stored message; "retry" when it cannot be opened yet. Writes
 * nothing. Awaits only what the checks need (an epoch, a contact, a sender's log), not the crypto.
 */
async function judgeStart(ctx: ClientContext, conv: ConversationRow, m: StoredMessage, cache: PageCache): Promise<Started | "retry"> {
  const bytes = fromBase64url(m.envelope);
  const rejected = (why: unknown): Judged => ({ kind: "reject", m, bytes, why });
  let e: DecodedEnvelope;
  try {
    e = decodeEnvelope(bytes);
  } catch (err) {
    return rejected(err);
  }
  const h = e.header;
  if (h.conversationId !== conv.id) return rejected("envelope names another conversation");
  if (conv.kind === "direct" && h.senderAccountId !== cache.self && h.senderAccountId !== conv.peer) return rejected("sender is not a member");
  // The hash is needed only for an opened message; started now, it runs beside the verify and decrypt.
  const hash = envelopeHash(ctx.env, bytes);
  hash.catch(() => undefined);
  const started = await open(ctx, conv, e, m.seq, cache);
  if (started === "retry") return "retry";
  if (started === "not_shared") return { kind: "skip", m, bytes };
  if ("error" in started) return rejected(started.error);
  return { kind: "opening", m, bytes, e, opening: started.opening, hash };
}

/** The decision on a started message once its crypto is done. */
async function judged(s: Started): Promise<Judged> {
  if (s.kind !== "opening") return s;
  let body: MessageBody;
  try {
    body = await s.opening;
  } catch (err) {
    return { kind: "reject", m: s.m, bytes: s.bytes, why: err };
  }
  return { kind: "open", m: s.m, bytes: s.bytes, e: s.e, body, hash: await s.hash };
}

/**
 * Judges messages in order until one must be retried; returns those judged. Each message's checks run in
 * page order, as before, but its crypto is not awaited before the next message's checks start: the whole
 * page's verifies, decrypts and hashes are in flight together (the verifies in the signature worker where there
 * is one, sync/verify-pool.ts), and are then taken in order. Nothing is written while judging, so what the
 * commit decides (replays, gaps, reused ids, in seq order) does not change.
 */
async function judgeAll(ctx: ClientContext, conv: ConversationRow, messages: readonly StoredMessage[], cache: PageCache): Promise<{ judged: Judged[]; stalled: boolean }> {
  const started: Started[] = [];
  let stalled = false;
  for (const m of messages) {
    const s = await judgeStart(ctx, conv, m, cache);
    if (s === "retry") {
      stalled = true;
      break;
    }
    started.push(s);
  }
  const out: Judged[] = [];
  for (const s of started) out.push(await judged(s));
  return { judged: out, stalled };
}

/**
 * What commit() knows of the page's rows while it writes them. Awaiting five IndexedDB requests per
 * message was most of the time a long history took to load (docs/BENCHMARKS.md, figure 3), so the rows
 * every message needs (its own row, its sender's chain) are read in one bulk read at the start and kept
 * up to date here, and the page's writes are queued and put in bulk: before any other code reads the
 * store (a receipt's check, a reaction's target) and at the end. Dexie needs every request of a
 * transaction awaited, so writes are queued rather than left unawaited.
 */
class PageRows {
  private envelopes: EnvelopeRow[] = [];
  private chainWrites = new Map<string, ChainRow>();
  private messageWrites = new Map<string, MessageRow>();

  private constructor(
    private readonly db: ClientContext["db"],
    private readonly conversationId: ConversationId,
    private readonly messages: Map<string, MessageRow | undefined>,
    private readonly chains: Map<string, ChainRow | undefined>,
  ) {}

  static async load(db: ClientContext["db"], conversationId: ConversationId, opened: readonly DecodedEnvelope[]): Promise<PageRows> {
    const ids = [...new Set(opened.map((e) => e.header.clientMessageId))];
    const devices = [...new Set(opened.map((e) => e.header.senderDeviceId))];
    // Both reads at once: one wait on the IndexedDB backend instead of two.
    const [messages, chains] = await Promise.all([getMessages(db, conversationId, ids), getChains(db, conversationId, devices)]);
    return new PageRows(db, conversationId, new Map(ids.map((id, i) => [id, messages[i]])), new Map(devices.map((d, i) => [d, chains[i]])));
  }

  /** The stored (or queued) row of a message when known here; undefined when it must be read(). */
  cached(clientMessageId: string): { readonly row: MessageRow | undefined } | undefined {
    return this.messages.has(clientMessageId) ? { row: this.messages.get(clientMessageId) } : undefined;
  }

  /** Reads a message's row from the store, after putting what is queued. */
  async read(clientMessageId: string): Promise<MessageRow | undefined> {
    if (this.dirty) await this.flush();
    const row = await getMessage(this.db, this.conversationId, clientMessageId);
    this.messages.set(clientMessageId, row);
    return row;
  }

  /** Whether writes are queued. Check before awaiting flush(): see commit() on awaits. */
  get dirty(): boolean {
    return this.envelopes.length > 0 || this.chainWrites.size > 0 || this.messageWrites.size > 0;
  }

  chain(deviceId: string): ChainRow | undefined {
    return this.chains.get(deviceId);
  }

  putEnvelope(row: EnvelopeRow): void {
    this.envelopes.push(row);
  }

  putChain(row: ChainRow): void {
    this.chains.set(row.deviceId, row);
    this.chainWrites.set(row.deviceId, row);
  }

  putMessage(row: MessageRow): void {
    this.messages.set(row.clientMessageId, row);
    this.messageWrites.set(row.clientMessageId, row);
  }

  /** Other code wrote message rows (a tombstone, a superseded mark): what is known of them is stale. */
  forgetMessages(): void {
    this.messages.clear();
  }

  /** Puts every queued write, so the store holds what this page decided so far. */
  async flush(): Promise<void> {
    const envelopes = this.envelopes;
    const chains = [...this.chainWrites.values()];
    const messages = [...this.messageWrites.values()];
    this.envelopes = [];
    this.chainWrites = new Map();
    this.messageWrites = new Map();
    // Each wait on the IndexedDB backend is a round trip to the browser's process, and a page made ~17 in a
    // row. The envelope and chain rows (small, no secondary index, no schema check) go with the first part
    // of the message rows; the message rows stay in parts, each awaited, for the reason at WRITE_PART.
    const parts = chunks(messages);
    await Promise.all([
      envelopes.length ? this.db.envelopes.bulkPut(envelopes) : undefined,
      chains.length ? this.db.chains.bulkPut(chains) : undefined,
      parts.length ? putReceivedMessages(this.db, parts[0]!) : undefined,
    ]);
    for (const part of parts.slice(1)) await putReceivedMessages(this.db, part);
  }
}

/**
 * Rows put per request batch. A page of 200 messages put at once checked, cloned and queued every row (and
 * Dexie noted every key for the live queries) in one task of 100 ms and more; awaited a part at a time, each
 * part runs in its own task, in the same transaction. Each part is one more wait on the IndexedDB backend in
 * a row; with the schema check gone from received text rows (store/received-rows.ts) a part of 100 costs
 * about what one of 40 did.
 */
const WRITE_PART = 100;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += WRITE_PART) out.push(rows.slice(i, i + WRITE_PART));
  return out;
}

type Decided = "seen" | { readonly rejected: unknown } | { readonly row: MessageRow; readonly chain: ChainRow; readonly fresh: boolean };

/**
 * Checks an opened message against its sender's chain and the row already stored for its client message
 * id (`existing`), and says what to store. Synchronous: commit() runs it for each message of a page with
 * no await between them.
 */
function decide(conv: ConversationRow, j: Extract<Judged, { kind: "open" }>, existing: MessageRow | undefined, chain: ChainRow | undefined): Decided {
  const h = j.e.header;
  // The same message again: this device's own (pending, or posted at this seq) coming back, or a page
  // fetched twice. The same envelope at another position is a replay by the server.
  const sameMessage = existing !== undefined && existing.senderDeviceId === h.senderDeviceId && existing.counter === h.counter;
  const samePlace = sameMessage && (existing.seq === undefined || existing.seq === j.m.seq);
  let advanced;
  try {
    advanced = advanceChain(chain, h, j.hash);
  } catch (err) {
    if (isProtocolError(err, "replay") && samePlace) return "seen";
    return { rejected: err };
  }
  if (existing && !samePlace) return { rejected: "client message id reused" };
  const row: MessageRow = {
    conversationId: conv.id,
    clientMessageId: h.clientMessageId,
    seq: j.m.seq,
    senderAccountId: h.senderAccountId,
    senderDeviceId: h.senderDeviceId,
    counter: h.counter,
    sentAt: existing?.sentAt ?? j.body.sentAt,
    ...content(existing, j.body),
    status: "sent",
    ...(advanced.missing > 0 ? { missingBefore: advanced.missing } : {}),
    ...(advanced.broken ? { chainBroken: true } : {}),
  };
  return { row, chain: { conversationId: conv.id, deviceId: h.senderDeviceId, counter: advanced.chain.counter, hash: advanced.chain.hash }, fresh: existing === undefined };
}

/**
 * Stores an opened message as decide() says; runs inside commit()'s transaction, so it sees the rows
 * written (or queued) for the messages before it in the same page. Awaits only for a row not known to
 * `rows` and for a receipt's check, both of which read the store.
 */
async function storeOpened(ctx: ClientContext, conv: ConversationRow, j: Extract<Judged, { kind: "open" }>, rows: PageRows): Promise<Decided> {
  const id = j.e.header.clientMessageId;
  const known = rows.cached(id);
  const existing = known ? known.row : await rows.read(id);
  const d = decide(conv, j, existing, rows.chain(j.e.header.senderDeviceId));
  if (typeof d !== "object" || !("row" in d)) return d;
  rows.putChain(d.chain);
  // A receipt that contradicts the rows here is kept inert and counted (sync/receipt-check.ts).
  let problem: string | undefined;
  if (d.fresh && isReceipt(d.row)) {
    if (rows.dirty) await rows.flush();
    problem = await receiptProblem(ctx.db, conv.id, d.row, j.m.seq);
  }
  rows.putMessage(problem ? inertReceipt(d.row) : d.row);
  return problem ? { rejected: problem } : d;
}

/** storeOpened() for a message whose row `rows` knows and that is not a receipt: no await at all. */
function storeSync(conv: ConversationRow, j: Extract<Judged, { kind: "open" }>, rows: PageRows): Decided {
  const d = decide(conv, j, rows.cached(j.e.header.clientMessageId)?.row, rows.chain(j.e.header.senderDeviceId));
  if (typeof d === "object" && "row" in d) {
    rows.putChain(d.chain);
    rows.putMessage(d.row);
  }
  return d;
}

/** Whether storeOpened() can finish without awaiting (see commit() on awaits). */
function storesAtOnce(rows: PageRows, j: Extract<Judged, { kind: "open" }>): boolean {
  return rows.cached(j.e.header.clientMessageId) !== undefined && !(j.body.kind === "receipt");
}

/**
 * What a message row keeps of the content (content-rows.ts): every kind's fields, a kind this version
 * does not know only its number (shown as "needs a newer version", views.ts). This device's own message
 * coming back keeps what was stored when it was sent.
 */
function content(existing: MessageRow | undefined, body: MessageBody): ContentFields & Pick<MessageRow, "deletedAt"> {
  if (!existing) return rowFields(body);
  const { text, kindNumber, ref, emoji, receipt, attachment, deletedAt, mentions, profile } = existing;
  return { text, ...defined({ kindNumber, ref, emoji, receipt, attachment, deletedAt, mentions, profile }) };
}

/** The fields whose value is not undefined (the row schema's optional fields take no undefined). */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Writes what was judged, in one transaction: each envelope as received, each opened message (checked
 * against its sender's chain), the refused count and newest time on the conversation, and the cursor past
 * the last one. Returns how many messages were stored.
 */
async function commit(ctx: ClientContext, conv: ConversationRow, judged: readonly Judged[], self: string): Promise<number> {
  const last = judged.at(-1);
  const first = judged[0];
  if (!last || !first) return 0;
  const db = ctx.db;
  const effects = new StoredEffects(self);
  let profileNamed = false;
  // searchPostings, searchTerms: a delete for everyone takes its target's words out of the search index at once;
  // profiles: a profile message (kind 9) names its sender's newest profile (profiles/receive-profile.ts);
  // chatPrefs: a blocked contact's messages do not move the chat.
  const stored = await db.transaction("rw", [db.envelopes, db.messages, db.chains, db.conversations, db.cursors, db.searchPostings, db.searchTerms, db.profiles, db.chatPrefs], async () => {
    let stored = 0;
    let rejected = 0;
    let newest = 0;
    // A blocked peer's messages are stored but not shown (chats/chat-order.ts): they do not move the chat.
    const [prefs, rows] = await Promise.all([
      conv.kind === "direct" ? getChatPrefs(db, conv.id) : undefined,
      PageRows.load(db, conv.id, judged.flatMap((j) => (j.kind === "open" ? [j.e] : []))),
    ]);
    const hiddenFrom = (sender: string, seq: number) => prefs !== undefined && conv.kind === "direct" && sender === conv.peer && hiddenByBlock(seq, prefs);
    const actions = pageEffects();
    for (const j of judged) {
      rows.putEnvelope({ conversationId: conv.id, seq: j.m.seq, envelope: j.bytes, receivedAt: j.m.receivedAt });
      let why = j.kind === "reject" ? j.why : undefined;
      if (j.kind === "open") {
        // Dexie keeps a transaction's zone across an await only when the awaited work makes a request, so
        // nothing is awaited here that may not (an async function that finds everything in `rows`).
        const outcome = storesAtOnce(rows, j) ? storeSync(conv, j, rows) : await storeOpened(ctx, conv, j, rows);
        // A reaction, edit or delete is judged against its target (apply-content.ts) once stored; what
        // that writes (a tombstone, a cleared text, a superseded mark) is not in `rows`, so they read anew.
        let applied: Awaited<ReturnType<typeof applyStored>> = "ok";
        if (typeof outcome === "object" && "row" in outcome && writesOthers(outcome.row)) {
          if (rows.dirty) await rows.flush();
          applied = await applyStored(db, outcome.row, outcome.fresh, actions, ctx.now());
          rows.forgetMessages();
        }
        if (typeof outcome === "object" && "rejected" in outcome) why = outcome.rejected;
        else if (applied !== "ok") why = applied.refused;
        else {
          stored++;
          // Only what shows as a message of its own moves the chat up the list (not a reaction or a receipt).
          if (movesConversation(j.body) && !hiddenFrom(j.e.header.senderAccountId, j.m.seq)) newest = Math.max(newest, j.body.sentAt);
          effects.note(j.e.header.senderAccountId, j.m.seq, j.body);
          if (j.body.kind === "profile") {
            if (rows.dirty) await rows.flush();
            if (await noteProfileMessage(db, j.e.header.senderAccountId, j.body)) profileNamed = true;
          }
        }
      }
      if (why !== undefined) {
        console.warn(`message ${conv.id}/${j.m.seq} refused:`, why);
        rejected++;
      }
    }
    if (rows.dirty) await rows.flush();
    await finishPage(db, conv.id, actions);
    const [current] = await Promise.all([getConversation(db, conv.id), db.cursors.put({ conversationId: conv.id, after: last.m.seq })]);
    const cur = current ?? conv;
    // No readUpTo: a chat stored before unread existed; what came before this page counts as read.
    const readUpTo = Math.max(cur.readUpTo ?? first.m.seq - 1, effects.readUpTo);
    if (rejected > 0 || newest > cur.updatedAt || readUpTo !== cur.readUpTo) {
      await putConversation(db, { ...cur, rejected: cur.rejected + rejected, updatedAt: Math.max(cur.updatedAt, newest), readUpTo });
    }
    return stored;
  });
  if (effects.fromOthers) notifyStoredFromOthers(ctx, conv.id);
  notifyPageStored(ctx, conv.id);
  // The blob is fetched after the page, not awaited by it: a slow or failing fetch never stalls messages.
  if (profileNamed) void fetchProfiles(ctx).catch((e: unknown) => console.warn("could not fetch profiles:", e));
  return stored;
}

/** Judges and commits a run of messages at the cursor; stops at one that must be retried. */
async function take(ctx: ClientContext, conv: ConversationRow, messages: readonly StoredMessage[], cache: PageCache): Promise<{ stored: number; stalled: boolean }> {
  const { judged, stalled } = await judgeAll(ctx, conv, messages, cache);
  return { stored: await commit(ctx, conv, judged, cache.self), stalled };
}

/**
 * Fetches and processes pages after `after` until the server has no more, fetching the next page while
 * one is processed. Call under the recv lock.
 */
async function drain(ctx: ClientContext, conv: ConversationRow, self: string, after: number): Promise<number> {
  const cache = pageCache(self);
  let stored = 0;
  // The previous page's commit, still writing while this page is judged (see below).
  let writing: Promise<number> | undefined;
  const written = async () => {
    const w = writing;
    writing = undefined;
    return w ? await w : 0;
  };
  try {
    let next = ctx.api.messages(conv.id, after, FETCH_PAGE);
    for (;;) {
      const page = await next;
      const fresh = page.messages.filter((m) => m.seq > after);
      const lastSeq = page.messages.at(-1)?.seq;
      const more = page.more && lastSeq !== undefined;
      if (more) {
        next = ctx.api.messages(conv.id, lastSeq, FETCH_PAGE);
        // Judged as not needed when this page stalls; a failed prefetch must not go unhandled meanwhile.
        next.catch(() => undefined);
      }
      // Judging (crypto on this thread) runs while the previous page's transaction is written by the
      // browser's IndexedDB backend: a history load waited for each in turn (docs/decisions.md "Linking
      // and restoring: judging beside writing"). Judging writes no message, chain or cursor rows, and the
      // commits stay one after another in seq order, so every chain, replay and reused id is still
      // decided in order, each page against the rows of all pages before it.
      const { judged, stalled } = await judgeAll(ctx, conv, fresh, cache);
      stored += await written();
      writing = commit(ctx, conv, judged, self);
      // Awaited on the next round or below; a failure must not count as unhandled meanwhile.
      writing.catch(() => undefined);
      if (stalled || !more) return stored + (await written());
      after = Math.max(after, lastSeq);
    }
  } finally {
    // A page that failed to be judged or fetched: the commit before it still finishes before the lock is let go.
    await writing?.catch(() => undefined);
  }
}

/**
 * Fetches and processes everything after the cursor. Stops (without moving the cursor) at a message
 * that cannot be opened yet, to retry on the next pass. Returns how many messages were stored.
 */
export async function pullMessages(ctx: ClientContext, conversationId: ConversationId): Promise<number> {
  return withLock(`recv:${conversationId}`, async () => {
    const account = await getAccount(ctx.db);
    if (!account) return 0;
    const conv = await requireConversation(ctx, conversationId);
    return drain(ctx, conv, account.accountId, await getCursor(ctx.db, conversationId));
  });
}

/**
 * A message pushed over the realtime socket goes through the same path as a polled one. At the cursor
 * it is processed from the push with no request; one already behind the cursor (seen by a poll, or
 * pushed twice) is ignored; one past a gap means pushes were missed, so the gap is fetched by cursor.
 * Returns how many messages were stored. `conv` is the row the caller read (its kind and members are
 * what judging needs; the commit merges into the row as stored then).
 */
export async function receivePushed(ctx: ClientContext, conv: ConversationRow, pushed: StoredMessage): Promise<number> {
  return receivePushedRun(ctx, conv, [pushed]);
}

/**
 * Messages pushed together for one conversation (a burst the socket delivered while the previous one was
 * being stored), taken as one page: judged together and committed in one transaction, so a burst of
 * 100 reactions costs one commit and one re-run of the open chat's live queries, not 100. Those at or
 * behind the cursor are ignored; a run that starts past a gap, or leaves one, is fetched by cursor.
 */
export async function receivePushedRun(ctx: ClientContext, conv: ConversationRow, pushed: readonly StoredMessage[]): Promise<number> {
  return withLock(`recv:${conv.id}`, async () => {
    const account = await getAccount(ctx.db);
    if (!account) return 0;
    const after = await getCursor(ctx.db, conv.id);
    const run = contiguousRun(pushed, after);
    if (run === undefined) return 0;
    if (run.length === 0) return drain(ctx, conv, account.accountId, after);
    const r = await take(ctx, conv, run, pageCache(account.accountId));
    // Pushes past the run (a gap in what was pushed) are fetched by cursor, unless the run stalled.
    const newest = Math.max(...pushed.map((m) => m.seq));
    if (r.stalled || newest <= run.at(-1)!.seq) return r.stored;
    return r.stored + (await drain(ctx, conv, account.accountId, await getCursor(ctx.db, conv.id)));
  });
}

/**
 * The pushed messages that follow the cursor without a gap, in seq order, at most a page: undefined when
 * every one is at or behind the cursor, empty when the first new one is past a gap.
 */
function contiguousRun(pushed: readonly StoredMessage[], after: number): StoredMessage[] | undefined {
  const bySeq = new Map<number, StoredMessage>();
  for (const m of pushed) if (m.seq > after && !bySeq.has(m.seq)) bySeq.set(m.seq, m);
  if (bySeq.size === 0) return undefined;
  const run: StoredMessage[] = [];
  for (let seq = after + 1; run.length < PAGE; seq++) {
    const m = bySeq.get(seq);
    if (!m) break;
    run.push(m);
  }
  return run;
}
