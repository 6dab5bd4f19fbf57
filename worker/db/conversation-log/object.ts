import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { bytesEqual, toBase64url } from "../../../protocol/bytes.js";
import type { AccountId, ConversationId } from "../../../protocol/ids.js";
import { CorruptRow } from "../../errors.js";
import type { ConversationRecord, MembershipAppend, NewEpoch } from "../../storage/conversation-store.js";
import { MESSAGE_PAGE_BYTES, type AppendResult, type MessagePage, type NewMessage } from "../../storage/message-log.js";
import { blob, int, parseRow, parseRows } from "../rows.js";
import { tellMembers, messageFrameText, pushOrderFor, type FrameHub, type HubStubs } from "./fan-out.js";
import { importFromD1 } from "./import-legacy.js";
import { applyOp, parseOp, type OutboxOp } from "./outbox.js";
import { migrateSchema } from "./schema.js";
import { conversationRow, entryRow, memberRow } from "./rows.js";
import { buf } from "./sql-values.js";

/** The bindings a conversation object reads: D1, for the directory's index and the attachments. */
export interface ConversationLogBindings {
  readonly DB: D1Database;
  /** The members' account objects, told of each stored message (fan-out.ts). */
  readonly ACCOUNT_HUB: DurableObjectNamespace<FrameHub>;
}

/** The epochs' key ids as the object holds them: every epoch, and the newest (-1 for none). */
interface HeldEpochs {
  readonly keys: Map<number, Uint8Array>;
  newest: number;
}

/** What a message's first-time check found: stored before, refused for its epoch, or new. */
export type AppendProbe = Exclude<AppendResult, { kind: "stored" } | { kind: "attachments_refused" }> | { readonly kind: "new" };

/** A retry of an outbox that D1 refused: soon, and again from the alarm until it goes through. */
const OUTBOX_RETRY_MS = 5_000;

const metaRow = z.object({ meta: blob });
const keyRow = z.object({ epoch: int.nonnegative(), key_id: blob });
const bundleRow = z.object({ epoch: int.nonnegative(), bundle: blob });
const shareRow = z.object({ share: blob });
const existingRow = z.object({ seq: int.positive(), envelope: blob });
const messageRow = z.object({ seq: int.positive(), envelope: blob, received_at: int });
const maxRow = z.object({ m: int.nullable() });
const outboxRow = z.object({ id: int, op: z.string() });

/**
 * One per conversation (idFromName(conversation id), issue 22): owns the conversation's messages, epochs,
 * membership log, member set, group meta and history shares in its own SQLite storage, and assigns its
 * seqs. A Durable Object runs one event at a time and its SQL is synchronous, so each method below is
 * atomic without a lock: a seq cannot be handed out twice, an epoch cannot race a message, an entry
 * cannot race an epoch. D1 keeps only the directory's index (conversation rows and member rows, written
 * from the outbox after each change) and the attachments.
 *
 * The first use moves a conversation stored by the D1 layout into the object (import-legacy.ts); an id D1
 * does not know leaves the object empty and stores nothing (a probe for a random id costs no storage).
 */
export class ConversationLog extends DurableObject<ConversationLogBindings> {
  /** "empty": nothing stored and D1 knows no such conversation; "ready": tables in place, imported. */
  private state: "unknown" | "empty" | "ready" = "unknown";
  private flushing: Promise<void> = Promise.resolve();
  /*
   * What the object holds in memory of its own rows, so a send reads none of them from SQLite. The
   * object is their only writer: each is loaded (and zod-parsed) from storage once, kept in step by the
   * code that writes the rows, and dropped (undefined: load again) by any write that changes it in a way
   * not mirrored here or that throws. A new instance (eviction, a failed write resetting the object)
   * starts with nothing held.
   */
  private heldRecord: { readonly value: ConversationRecord | undefined } | undefined;
  private heldEpochs: HeldEpochs | undefined;
  private heldLastSeq: number | undefined;
  private readonly hubStubs = new Map<AccountId, DurableObjectStub<FrameHub>>();
  /** One stub per member account's hub while it works, so its frames reach that hub in the order sent. */
  private readonly hubs: HubStubs = {
    get: (accountId) => {
      let stub = this.hubStubs.get(accountId);
      if (!stub) {
        stub = this.env.ACCOUNT_HUB.get(this.env.ACCOUNT_HUB.idFromName(accountId));
        this.hubStubs.set(accountId, stub);
      }
      return stub;
    },
    forget: (accountId) => this.hubStubs.delete(accountId),
  };

  /** Forgets everything held: the next read loads it from storage. */
  private dropHeld(): void {
    this.heldRecord = undefined;
    this.heldEpochs = undefined;
    this.heldLastSeq = undefined;
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  /** Tables in place and, on the first use ever, the conversation moved in from D1. */
  private async ensure(id: ConversationId): Promise<"empty" | "ready"> {
    if (this.state === "ready") return "ready";
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.state === "ready") return;
      const stored = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'info'").toArray().length > 0;
      if (stored) {
        migrateSchema(this.ctx.storage);
        if (this.sql.exec("SELECT 1 FROM info WHERE k = 'imported'").toArray().length > 0) {
          this.state = "ready";
          return;
        }
      } else {
        // Nothing stored yet: a conversation of the D1 layout, or none at all.
        const known = await this.env.DB.prepare("SELECT 1 AS one FROM conversations WHERE id = ?1").bind(id).first();
        if (!known) {
          this.state = "empty";
          return;
        }
        migrateSchema(this.ctx.storage);
      }
      this.dropHeld();
      await importFromD1(this.env.DB, this.ctx.storage, id);
      this.sql.exec("INSERT INTO info (k, v) VALUES ('imported', 1) ON CONFLICT DO NOTHING");
      this.dropHeld();
      this.state = "ready";
    });
    return (this.state as ConversationLog["state"]) === "ready" ? "ready" : "empty";
  }

  /** Writes `ops` to the outbox; the caller is inside the transaction of the change that causes them. */
  private enqueue(ops: readonly OutboxOp[]): void {
    for (const op of ops) this.sql.exec("INSERT INTO outbox (op) VALUES (?)", JSON.stringify(op));
  }

  /**
   * Applies the outbox to D1 in order, one flush at a time (a second waits for the first: two flushes
   * interleaving could apply an older member set after a newer one). A failure leaves the rest for the
   * alarm; the change itself is stored either way.
   */
  private flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      for (;;) {
        const row = this.sql.exec("SELECT id, op FROM outbox ORDER BY id LIMIT 1").toArray()[0];
        if (!row) return;
        const { id, op } = parseRow(outboxRow, "outbox", row);
        try {
          await applyOp(this.env.DB, parseOp(op));
        } catch (e) {
          console.warn("conversation outbox: D1 refused, retrying from the alarm:", e);
          await this.ctx.storage.setAlarm(Date.now() + OUTBOX_RETRY_MS);
          return;
        }
        this.sql.exec("DELETE FROM outbox WHERE id = ?", id);
      }
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  override async alarm(): Promise<void> {
    if (this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").toArray().length === 0) return;
    await this.flush();
  }

  private members(): AccountId[] {
    return parseRows(memberRow, "members", this.sql.exec("SELECT account_id FROM members ORDER BY account_id").toArray()).map((r) => r.account_id);
  }

  /** The conversation's record with its members: held, or read from storage (and then held). */
  private record(): ConversationRecord | undefined {
    if (!this.heldRecord) this.heldRecord = { value: this.readRecord() };
    return this.heldRecord.value;
  }

  private readRecord(): ConversationRecord | undefined {
    const row = this.sql.exec("SELECT id, kind, member_a, member_b, created_at FROM conversation").toArray()[0];
    if (!row) return undefined;
    const c = parseRow(conversationRow, "conversation", row);
    if (c.kind === "direct") {
      if (c.member_a === null || c.member_b === null) throw new CorruptRow(`conversation: direct conversation ${c.id} has no member pair`);
      return { id: c.id, kind: "direct", members: [c.member_a, c.member_b], createdAt: c.created_at };
    }
    const meta = this.sql.exec("SELECT meta FROM group_meta").toArray()[0];
    return { id: c.id, kind: "group", members: this.members(), createdAt: c.created_at, meta: meta ? toBase64url(parseRow(metaRow, "group_meta", meta).meta) : null };
  }

  async find(id: ConversationId): Promise<ConversationRecord | undefined> {
    return (await this.ensure(id)) === "ready" ? this.record() : undefined;
  }

  /** A summary for a conversation list: the record and its newest seq (0 for none). */
  async summary(id: ConversationId): Promise<{ record: ConversationRecord; lastSeq: number } | undefined> {
    if ((await this.ensure(id)) === "empty") return undefined;
    const record = this.record();
    return record ? { record, lastSeq: this.lastSeqNow() } : undefined;
  }

  /**
   * Creates the group with its create entry (position 0) and members, and indexes it in D1 (through the
   * outbox, so the index follows even if this call's flush fails). False if the conversation exists.
   */
  async createGroup(g: { id: ConversationId; members: readonly AccountId[]; entry: Uint8Array; now: number }): Promise<boolean> {
    if ((await this.ensure(g.id)) === "empty") {
      migrateSchema(this.ctx.storage);
      this.sql.exec("INSERT INTO info (k, v) VALUES ('imported', 1) ON CONFLICT DO NOTHING");
      this.state = "ready";
    }
    if (this.record()) return false;
    const members = [...g.members].sort();
    this.dropHeld();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("INSERT INTO conversation (one, id, kind, member_a, member_b, created_at) VALUES (1, ?, 'group', NULL, NULL, ?)", g.id, g.now);
      this.sql.exec("INSERT INTO membership_entries (seq, entry) VALUES (0, ?)", buf(g.entry));
      for (const m of members) this.sql.exec("INSERT INTO members (account_id) VALUES (?)", m);
      this.enqueue([{ t: "group_index", id: g.id, createdAt: g.now, members }]);
    });
    await this.flush();
    return true;
  }

  async readMembership(id: ConversationId): Promise<Uint8Array[]> {
    if ((await this.ensure(id)) === "empty") return [];
    return parseRows(entryRow, "membership_entries", this.sql.exec("SELECT seq, entry FROM membership_entries ORDER BY seq").toArray()).map((r) => r.entry);
  }

  async lastMembershipEntry(id: ConversationId): Promise<{ seq: number; entry: Uint8Array } | undefined> {
    if ((await this.ensure(id)) === "empty") return undefined;
    const row = this.sql.exec("SELECT seq, entry FROM membership_entries ORDER BY seq DESC LIMIT 1").toArray()[0];
    return row ? parseRow(entryRow, "membership_entries", row) : undefined;
  }

  /** Stores the entry, moves the member set and stores the added member's shares in one transaction. */
  async appendMembership(a: MembershipAppend): Promise<"stored" | "position_taken"> {
    if ((await this.ensure(a.id)) === "empty") return "position_taken";
    if (this.sql.exec("SELECT 1 FROM membership_entries WHERE seq = ?", a.seq).toArray().length > 0) return "position_taken";
    const record = this.record();
    // Dropped before the write: a removed member is never let through by a held member set.
    this.heldRecord = undefined;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("INSERT INTO membership_entries (seq, entry) VALUES (?, ?)", a.seq, buf(a.entry));
      for (const m of a.added) this.sql.exec("INSERT INTO members (account_id) VALUES (?) ON CONFLICT DO NOTHING", m);
      for (const m of a.removed) this.sql.exec("DELETE FROM members WHERE account_id = ?", m);
      for (const s of a.historyShares?.shares ?? []) {
        this.sql.exec(
          `INSERT INTO history_shares (account_id, epoch, share, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (account_id, epoch) DO UPDATE SET share = excluded.share, created_at = excluded.created_at`,
          a.historyShares?.accountId ?? "", s.epoch, buf(s.share), a.historyShares?.now ?? 0,
        );
      }
      this.enqueue([{ t: "group_index", id: a.id, createdAt: record?.createdAt ?? 0, members: this.members() }]);
    });
    this.heldRecord = undefined;
    await this.flush();
    return "stored";
  }

  /**
   * Stores a bundle only for the conversation's next epoch (0 first, then newest plus one) and, with
   * `membershipSeq`, only while the group's last entry is at that position.
   */
  async insertEpoch(e: NewEpoch): Promise<boolean> {
    if ((await this.ensure(e.conversationId)) === "empty") return false;
    const epochs = this.epochs();
    if (e.epoch !== epochs.newest + 1) return false;
    if (e.membershipSeq !== undefined) {
      const head = parseRow(maxRow, "membership_entries", this.sql.exec("SELECT MAX(seq) AS m FROM membership_entries").one()).m;
      if (head !== e.membershipSeq) return false;
    }
    this.heldEpochs = undefined;
    this.sql.exec("INSERT INTO epochs (epoch, key_id, bundle, creator_device_id, created_at) VALUES (?, ?, ?, ?, ?)", e.epoch, buf(e.keyId), buf(e.bundle), e.creatorDeviceId, e.createdAt);
    // Stored: held again with the new epoch (a throw above leaves them dropped).
    epochs.keys.set(e.epoch, new Uint8Array(e.keyId));
    epochs.newest = e.epoch;
    this.heldEpochs = epochs;
    return true;
  }

  /** Every epoch's key id and the newest epoch: held, or read from storage (and then held). */
  private epochs(): HeldEpochs {
    if (!this.heldEpochs) {
      const keys = new Map(parseRows(keyRow, "epochs", this.sql.exec("SELECT epoch, key_id FROM epochs").toArray()).map((r) => [r.epoch, r.key_id]));
      this.heldEpochs = { keys, newest: Math.max(-1, ...keys.keys()) };
    }
    return this.heldEpochs;
  }

  async findEpochKeyId(id: ConversationId, epoch: number): Promise<Uint8Array | undefined> {
    if ((await this.ensure(id)) === "empty") return undefined;
    return this.epochs().keys.get(epoch);
  }

  async latestEpoch(id: ConversationId): Promise<number | undefined> {
    if ((await this.ensure(id)) === "empty") return undefined;
    const newest = this.epochs().newest;
    return newest < 0 ? undefined : newest;
  }

  async listEpochKeyIds(id: ConversationId): Promise<Map<number, Uint8Array>> {
    if ((await this.ensure(id)) === "empty") return new Map();
    return new Map(this.epochs().keys);
  }

  async listEpochs(id: ConversationId): Promise<{ epoch: number; bundle: Uint8Array }[]> {
    if ((await this.ensure(id)) === "empty") return [];
    return parseRows(bundleRow, "epochs", this.sql.exec("SELECT epoch, bundle FROM epochs ORDER BY epoch").toArray());
  }

  /** Stores the sealed meta unless the stored one is of a later epoch (the same epoch is replaced: a rename). */
  async putGroupMeta(m: { id: ConversationId; epoch: number; meta: Uint8Array; now: number }): Promise<boolean> {
    if ((await this.ensure(m.id)) === "empty") return false;
    this.heldRecord = undefined;
    const r = this.sql.exec(
      `INSERT INTO group_meta (one, epoch, meta, updated_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (one) DO UPDATE SET epoch = excluded.epoch, meta = excluded.meta, updated_at = excluded.updated_at
       WHERE excluded.epoch >= group_meta.epoch`,
      m.epoch, buf(m.meta), m.now,
    );
    return r.rowsWritten > 0;
  }

  async readHistoryShares(id: ConversationId, accountId: AccountId): Promise<Uint8Array[]> {
    if ((await this.ensure(id)) === "empty") return [];
    return parseRows(shareRow, "history_shares", this.sql.exec("SELECT share FROM history_shares WHERE account_id = ? ORDER BY epoch", accountId).toArray()).map((r) => r.share);
  }

  private probeNow(m: Pick<NewMessage, "senderDeviceId" | "clientMessageId" | "envelope" | "epoch" | "keyId">): AppendProbe {
    const epochs = this.epochs();
    const keyId = epochs.keys.get(m.epoch);
    if (!keyId) return { kind: "unknown_epoch" };
    if (!bytesEqual(keyId, m.keyId)) return { kind: "epoch_key_mismatch" };
    const row = this.sql.exec("SELECT seq, envelope FROM messages WHERE sender_device_id = ? AND client_message_id = ?", m.senderDeviceId, m.clientMessageId).toArray()[0];
    if (row) {
      const existing = parseRow(existingRow, "messages", row);
      return { kind: bytesEqual(existing.envelope, m.envelope) ? "duplicate" : "id_reused", seq: existing.seq };
    }
    if (epochs.newest > m.epoch) return { kind: "stale_epoch" };
    return { kind: "new" };
  }

  /** Whether a message would be new, a retry or stale, storing nothing (the attachments were refused). */
  async probe(m: Pick<NewMessage, "conversationId" | "senderDeviceId" | "clientMessageId" | "envelope" | "epoch" | "keyId">): Promise<AppendProbe> {
    if ((await this.ensure(m.conversationId)) === "empty") return { kind: "unknown_epoch" };
    return this.probeNow(m);
  }

  /**
   * Appends a message with the next seq: a retry reports the first seq, a message under an older epoch
   * than the newest is refused. `claim` names the attachments the caller claimed in D1 for it: they are
   * attached to the new seq through the outbox, in the transaction that stores the message. A stored
   * message's realtime frame goes to every member account's hub from here (`told`), after the answer.
   */
  async append(m: Omit<NewMessage, "attachments">, attach?: { readonly ids: readonly string[]; readonly claim: string }): Promise<AppendResult> {
    if ((await this.ensure(m.conversationId)) === "empty") return { kind: "unknown_epoch" };
    const probe = this.probeNow(m);
    if (probe.kind !== "new") return probe;
    const seq = this.lastSeqNow() + 1;
    this.heldLastSeq = undefined;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        "INSERT INTO messages (seq, sender_account_id, sender_device_id, client_message_id, envelope, received_at) VALUES (?, ?, ?, ?, ?, ?)",
        seq, m.senderAccountId, m.senderDeviceId, m.clientMessageId, buf(m.envelope), m.receivedAt,
      );
      if (attach && attach.ids.length > 0) this.enqueue([{ t: "attach", ids: [...attach.ids] as OutboxAttachIds, seq, claim: attach.claim }]);
    });
    this.heldLastSeq = seq;
    // The members now (a member removed since the route's check gets nothing). Not awaited: the
    // answer does not wait for the hubs; the output gate holds the calls until the message is durable.
    // Each hub also pushes to its devices with no socket, so the send reads no D1 for push (issue 22).
    const members = this.record()?.members ?? [];
    const stored = { conversationId: m.conversationId, seq, envelope: m.envelope, receivedAt: m.receivedAt, senderAccountId: m.senderAccountId };
    this.ctx.waitUntil(tellMembers(this.hubs, members, messageFrameText(stored), (id) => pushOrderFor(id, stored, m.alert), `message ${seq} of ${m.conversationId}`));
    if (attach) await this.flush();
    return { kind: "stored", seq, told: true };
  }

  /** The newest seq (0 for none): held, or read from storage (and then held). */
  private lastSeqNow(): number {
    this.heldLastSeq ??= parseRow(maxRow, "messages", this.sql.exec("SELECT MAX(seq) AS m FROM messages").one()).m ?? 0;
    return this.heldLastSeq;
  }

  async lastSeq(id: ConversationId): Promise<number> {
    return (await this.ensure(id)) === "empty" ? 0 : this.lastSeqNow();
  }

  /** Up to `limit` messages after `after`, in seq order, within MESSAGE_PAGE_BYTES; `more` says whether any follow. */
  async page(id: ConversationId, after: number, limit: number): Promise<MessagePage> {
    if ((await this.ensure(id)) === "empty") return { messages: [], more: false };
    const rows = parseRows(
      messageRow,
      "messages",
      this.sql
        .exec(
          `SELECT seq, envelope, received_at FROM (
             SELECT seq, envelope, received_at, SUM(length(envelope)) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING) - length(envelope) AS before
               FROM (SELECT seq, envelope, received_at FROM messages WHERE seq > ? ORDER BY seq LIMIT ?))
            WHERE before < ?
            ORDER BY seq`,
          after, limit, MESSAGE_PAGE_BYTES,
        )
        .toArray(),
    );
    const last = rows.at(-1)?.seq ?? after;
    const more = this.sql.exec("SELECT 1 FROM messages WHERE seq > ? LIMIT 1", last).toArray().length > 0;
    return { messages: rows.map((r) => ({ seq: r.seq, envelope: r.envelope, receivedAt: r.received_at })), more };
  }
}

type OutboxAttachIds = Extract<OutboxOp, { t: "attach" }>["ids"];
