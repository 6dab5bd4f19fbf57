// Runs after every other e2e file (vitest.e2e.config.ts orders it last): the shared server's D1 and
// Durable Object storage, WAL files included, and R2 (its metadata and object bytes) must hold none of the
// secrets the suite handed the app: message texts, keys, attachment names, captions, plaintext and Exif markers.
import { expect, inject, test } from "vitest";
import { readServerStorage } from "./harness";
import { knownValues, needleOf, secretHits } from "./known-secrets";

test("after the whole suite, the server's storage holds no message text, device name, passphrase, recovery key or private key it was given", () => {
  const values = knownValues();
  const secrets = values.filter((v) => v.kind !== "public");
  const publics = values.filter((v) => v.kind === "public");
  const kinds = new Map<string, number>();
  for (const v of secrets) kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1);
  console.log(`server-blind scan: ${secrets.length} secrets (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}), ${publics.length} public values`);
  // When this file runs alone there is nothing to scan; when the suite runs, the helpers recorded plenty.
  if (values.length === 0) throw new Error("no values were recorded: run the whole e2e suite (npm test -- e2e), which records them");
  expect(secrets.length).toBeGreaterThan(0);

  const files = readServerStorage(inject("persistDir"));
  expect(files.length).toBeGreaterThan(0);
  // The scan reads what the server stores: every username the suite signed up is in there.
  const missing = publics.filter((p) => !files.some((f) => f.bytes.includes(needleOf(p))));
  expect(missing).toEqual([]);
  // Attachment ciphertext lives in R2's object files: when the suite sent files, the scan read those too.
  if (secrets.some((v) => v.kind.startsWith("attachment"))) expect(files.filter((f) => /\/v3\/r2\/[^/]+\/blobs\//.test(f.path)).length).toBeGreaterThan(0);

  expect(secretHits(files, values)).toEqual([]);
});
