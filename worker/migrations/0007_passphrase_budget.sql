-- Issue 15: a per-account daily budget of passphrase attempts, across every client address, so guesses
-- spread over many addresses still have a ceiling. One row per account: the UTC day (days since the Unix
-- epoch) and the attempts counted on it; a new day starts the count over.
CREATE TABLE passphrase_budget (
  account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id),
  day INTEGER NOT NULL,
  attempts INTEGER NOT NULL
) STRICT;
