import { z } from "zod";
import { accountIdSchema, deviceIdSchema, linkIdSchema, type LinkId, type LinkSide } from "../../protocol/api.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import type { FoundLink, LinkRecord } from "../storage/link-store.js";
import { blob, int, parseRow, parseRows } from "./rows.js";

const linkRow = z.object({
  link_id: linkIdSchema,
  new_token_hash: blob,
  expires_at: int,
  responder_account_id: accountIdSchema.nullable(),
  responder_device_id: deviceIdSchema.nullable(),
  responder_key: blob.nullable(),
});

function toLink(r: z.output<typeof linkRow>): LinkRecord {
  const base = { linkId: r.link_id, newTokenHash: r.new_token_hash, expiresAt: r.expires_at };
  if (r.responder_account_id === null || r.responder_device_id === null || r.responder_key === null) return base;
  return { ...base, responder: { accountId: r.responder_account_id, deviceId: r.responder_device_id, ephemeralKey: r.responder_key } };
}

/** Frames go first: with or without foreign-key enforcement, nothing of an expired link survives. */
function deleteExpired(db: D1Database, now: number): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM link_frames WHERE link_id IN (SELECT link_id FROM link_sessions WHERE expires_at <= ?1)").bind(now),
    db.prepare("DELETE FROM link_sessions WHERE expires_at <= ?1").bind(now),
  ];
}

/** Stores a new link and sweeps every expired one, so abandoned links never pile up. */
export async function insertLink(db: D1Database, l: { linkId: LinkId; newTokenHash: Uint8Array; now: number; expiresAt: number }): Promise<void> {
  await db.batch([
    ...deleteExpired(db, l.now),
    db.prepare("INSERT INTO link_sessions (link_id, new_token_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)").bind(l.linkId, l.newTokenHash, l.now, l.expiresAt),
  ]);
}

/** The link if it is live. An expired one is deleted with its frames on the spot, and reported as such once. */
export async function findLink(db: D1Database, linkId: LinkId, now: number): Promise<FoundLink> {
  const row = await db
    .prepare("SELECT link_id, new_token_hash, expires_at, responder_account_id, responder_device_id, responder_key FROM link_sessions WHERE link_id = ?1")
    .bind(linkId)
    .first();
  if (!row) return { kind: "missing" };
  const link = toLink(parseRow(linkRow, "link_sessions", row));
  if (link.expiresAt > now) return { kind: "live", link };
  await deleteLink(db, linkId);
  return { kind: "expired" };
}

/**
 * Records the existing device's answer, unless the link is expired or already answered: one statement,
 * so of two concurrent answers exactly one wins. Answering restarts the link's lifetime at `expiresAt`.
 */
export async function answerLink(
  db: D1Database,
  a: { linkId: LinkId; accountId: AccountId; deviceId: DeviceId; ephemeralKey: Uint8Array; now: number; expiresAt: number },
): Promise<boolean> {
  const r = await db
    .prepare(
      `UPDATE link_sessions SET responder_account_id = ?2, responder_device_id = ?3, responder_key = ?4, expires_at = ?6
        WHERE link_id = ?1 AND responder_key IS NULL AND expires_at > ?5`,
    )
    .bind(a.linkId, a.accountId, a.deviceId, a.ephemeralKey, a.now, a.expiresAt)
    .run();
  return r.meta.changes === 1;
}

const seqRow = z.object({ seq: int.positive() });

/**
 * Appends a frame from `sender` with the next seq of that side (seqs run 1, 2, ... with no gaps, so the
 * count is the last seq), if the link is still live and holds fewer than `maxFrames` from that side. One
 * statement, so concurrent posts can neither exceed the limit nor share a seq. Undefined when nothing
 * was stored (the caller finds out why).
 */
export async function appendLinkFrame(
  db: D1Database,
  f: { linkId: LinkId; sender: LinkSide; frame: Uint8Array; now: number; maxFrames: number },
): Promise<number | undefined> {
  const row = await db
    .prepare(
      `INSERT INTO link_frames (link_id, sender, seq, frame)
       SELECT ?1, ?2, n + 1, ?3 FROM (SELECT COUNT(*) AS n FROM link_frames WHERE link_id = ?1 AND sender = ?2)
        WHERE n < ?5 AND EXISTS (SELECT 1 FROM link_sessions WHERE link_id = ?1 AND expires_at > ?4)
       RETURNING seq`,
    )
    .bind(f.linkId, f.sender, f.frame, f.now, f.maxFrames)
    .first();
  return row ? parseRow(seqRow, "link_frames", row).seq : undefined;
}

const frameRow = z.object({ seq: int.positive(), frame: blob });

/** The frames `sender` posted after `after`, in order. */
export async function listLinkFrames(db: D1Database, linkId: LinkId, sender: LinkSide, after: number): Promise<{ seq: number; frame: Uint8Array }[]> {
  const { results } = await db.prepare("SELECT seq, frame FROM link_frames WHERE link_id = ?1 AND sender = ?2 AND seq > ?3 ORDER BY seq").bind(linkId, sender, after).all();
  return parseRows(frameRow, "link_frames", results);
}

export async function deleteLink(db: D1Database, linkId: LinkId): Promise<void> {
  await db.batch([db.prepare("DELETE FROM link_frames WHERE link_id = ?1").bind(linkId), db.prepare("DELETE FROM link_sessions WHERE link_id = ?1").bind(linkId)]);
}
