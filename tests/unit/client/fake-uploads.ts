// The attachment upload routes of the fake server, as docs/API.md "Attachments" describes them: create
// (size limit and per-account quota), PUT parts of exactly the part's length, upload status, complete,
// DELETE by the uploader, and the checks of `attachments` on a message post. The part size is a field so
// tests can cut small files into several parts (the worker uses ATTACHMENT_PART_BYTES, 8 MiB).
import { ATTACHMENT_PART_BYTES } from "../../../protocol/api.js";
import { AttachmentId, encryptedSize, type AccountId } from "../../../protocol/index.js";

export class UploadHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

export interface FakeUpload {
  readonly id: string;
  readonly conversationId: string;
  readonly accountId: AccountId;
  readonly size: number;
  readonly partSize: number;
  readonly parts: number;
  readonly received: Map<number, Uint8Array>;
  complete: boolean;
  deleted: boolean;
  attachedTo?: number;
}

export class FakeUploads {
  readonly byId = new Map<string, FakeUpload>();
  partSize = ATTACHMENT_PART_BYTES;
  /** The worker's ATTACHMENT_MAX_BYTES, as the blob of a file of that many bytes. */
  maxBlobBytes = encryptedSize(100 * 1024 * 1024);
  /** ATTACHMENT_QUOTA_BYTES: live ciphertext per account. */
  quotaBytes = 2 * 1024 ** 3;
  /** Part numbers whose next PUT fails as if the connection dropped (nothing stored); each once. */
  readonly dropParts = new Set<number>();
  /** Awaited before a part PUT is handled (a test holds a part in flight with it). */
  partGate: ((n: number) => Promise<void>) | undefined;

  create(conversationId: string, accountId: AccountId, size: unknown, newId: () => string): { id: string; partSize: number; parts: number } {
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1) throw new UploadHttpError(400, "invalid_body");
    if (size > this.maxBlobBytes) throw new UploadHttpError(413, "too_large");
    const live = [...this.byId.values()].filter((u) => u.accountId === accountId && !u.deleted).reduce((n, u) => n + u.size, 0);
    if (live + size > this.quotaBytes) throw new UploadHttpError(413, "quota_exceeded");
    const id = newId();
    const parts = Math.ceil(size / this.partSize);
    this.byId.set(id, { id, conversationId, accountId, size, partSize: this.partSize, parts, received: new Map(), complete: false, deleted: false });
    return { id, partSize: this.partSize, parts };
  }

  /** The upload routes' access rule: the uploader manages it; a member may see it (403); anyone else gets 404. */
  private own(id: string, accountId: AccountId, isMember: (conversationId: string) => boolean): FakeUpload {
    const u = this.byId.get(id);
    if (!u || (u.accountId !== accountId && !isMember(u.conversationId))) throw new UploadHttpError(404, "not_found");
    if (u.deleted) throw new UploadHttpError(404, "deleted");
    if (u.accountId !== accountId) throw new UploadHttpError(403, "forbidden");
    return u;
  }

  putPart(id: string, n: number, body: Uint8Array | undefined, accountId: AccountId, isMember: (c: string) => boolean): { n: number } {
    const u = this.own(id, accountId, isMember);
    if (!Number.isInteger(n) || n < 1 || n > u.parts) throw new UploadHttpError(404, "not_found");
    if (u.complete) throw new UploadHttpError(409, "upload_complete");
    if (!body) throw new UploadHttpError(411, "length_required");
    const expected = n < u.parts ? u.partSize : u.size - (u.parts - 1) * u.partSize;
    if (body.length !== expected) throw new UploadHttpError(400, "invalid_length");
    u.received.set(n, body.slice());
    return { n };
  }

  status(id: string, accountId: AccountId, isMember: (c: string) => boolean) {
    const u = this.own(id, accountId, isMember);
    const received = [...u.received.keys()].sort((a, b) => a - b);
    return { size: u.size, partSize: u.partSize, parts: u.parts, received, complete: u.complete };
  }

  /** Completes the upload; returns the assembled blob the first time. */
  complete(id: string, accountId: AccountId, isMember: (c: string) => boolean): { json: { id: string; size: number }; blob?: Uint8Array } {
    const u = this.own(id, accountId, isMember);
    if (u.complete) return { json: { id, size: u.size } };
    const missing = [];
    for (let n = 1; n <= u.parts; n++) if (!u.received.has(n)) missing.push(n);
    if (missing.length) throw new UploadHttpError(409, "incomplete");
    const blob = new Uint8Array(u.size);
    for (let n = 1; n <= u.parts; n++) blob.set(u.received.get(n)!, (n - 1) * u.partSize);
    u.received.clear();
    u.complete = true;
    for (let n = 1; n <= u.parts; n++) u.received.set(n, new Uint8Array(0));
    return { json: { id, size: u.size }, blob };
  }

  /** DELETE: a tombstone; deleting again is fine. */
  delete(id: string, accountId: AccountId, isMember: (c: string) => boolean): void {
    const u = this.byId.get(id);
    if (u?.deleted && u.accountId === accountId) return;
    this.own(id, accountId, isMember).deleted = true;
  }

  /**
   * The checks of a message post's `attachments` (before anything is stored). `planted`: a blob a test
   * put on the server directly (FakeServer.attachments), which counts as complete and the sender's.
   */
  checkAttach(ids: readonly string[], conversationId: string, accountId: AccountId, planted: (id: string) => boolean): void {
    if (ids.length > 10 || new Set(ids).size !== ids.length || !ids.every((i) => AttachmentId.is(i))) throw new UploadHttpError(400, "invalid_body");
    for (const id of ids) {
      const u = this.byId.get(id);
      if (!u && planted(id)) continue;
      if (!u || u.deleted || u.accountId !== accountId || u.conversationId !== conversationId) throw new UploadHttpError(400, "invalid_attachment");
      if (!u.complete) throw new UploadHttpError(409, "incomplete");
      if (u.attachedTo !== undefined) throw new UploadHttpError(409, "already_attached");
    }
  }

  attach(ids: readonly string[], seq: number): void {
    for (const id of ids) {
      const u = this.byId.get(id);
      if (u) u.attachedTo = seq;
    }
  }
}
