-- Encrypted attachments (issue 18). The ciphertext lives in R2 under the attachment's id; D1 keeps what
-- the server needs to authorize, resume, attach and expire it: which conversation and account it belongs
-- to, its ciphertext size, the R2 multipart upload and the etags of the parts received (the R2 binding
-- cannot list the parts of an upload), and the message it was attached to. Never a name, type or key.

CREATE TABLE attachments (
  id TEXT PRIMARY KEY,                                  -- base64url of 16 random bytes, the R2 key too
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  uploader_account_id TEXT NOT NULL REFERENCES accounts (id),
  size INTEGER NOT NULL CHECK (size > 0),              -- ciphertext bytes, as declared at creation
  part_size INTEGER NOT NULL CHECK (part_size > 0),
  upload_id TEXT,                                       -- the R2 multipart upload; NULL once completed
  created_at INTEGER NOT NULL,
  completed_at INTEGER,                                 -- NULL until every part is in and R2 assembled them
  message_seq INTEGER,                                  -- the seq of the message it is attached to
  claim TEXT,                                           -- set only inside the batch that attaches it
  deleted_at INTEGER,                                   -- the uploader deleted it: a tombstone, R2 object gone
  CHECK ((upload_id IS NULL) = (completed_at IS NOT NULL) OR deleted_at IS NOT NULL),
  CHECK (message_seq IS NULL OR completed_at IS NOT NULL)
) STRICT;
-- The quota sums an account's live attachments; the lazy sweep finds its unattached ones by age.
CREATE INDEX attachments_by_uploader ON attachments (uploader_account_id, created_at);
-- The scheduled sweep finds every unattached live attachment past its 24 hours.
CREATE INDEX attachments_unattached ON attachments (created_at) WHERE message_seq IS NULL AND deleted_at IS NULL;
-- Posting a message claims its attachments by a token for the length of one batch (worker/db/messages.ts).
CREATE INDEX attachments_by_claim ON attachments (claim) WHERE claim IS NOT NULL;

-- One row per part received, replaced when the part is uploaded again; gone once the upload completes.
CREATE TABLE attachment_parts (
  attachment_id TEXT NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
  part INTEGER NOT NULL CHECK (part > 0),
  etag TEXT NOT NULL,
  PRIMARY KEY (attachment_id, part)
) STRICT, WITHOUT ROWID;
