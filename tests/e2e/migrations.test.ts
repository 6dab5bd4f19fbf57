// D1 migrations keep a user's data: a local database at migration 0004 with a direct chat, its epoch and
// a message is upgraded to the latest schema by `wrangler d1 migrations apply` (as `npm start` does), and
// every row and every foreign key survives. The groups migration (0005) rebuilds four tables to do it.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, test } from "vitest";
import { wranglerEnv } from "../../scripts/wrangler.mjs";

const repo = resolve(import.meta.dirname, "../..");
const bin = join(repo, "node_modules/.bin/wrangler");
const dir = mkdtempSync(join(tmpdir(), "sealed-migrate-"));
const migrations = join(dir, "migrations");
const config = join(dir, "wrangler.toml");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wrangler(...args: string[]): string {
  const r = spawnSync(bin, [...args, "--local", "--persist-to", join(dir, "state"), "-c", config], { env: wranglerEnv, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The rows of each statement, from one `wrangler d1 execute --json` (each call costs seconds). */
function query(...statements: string[]): Record<string, unknown>[][] {
  const out = JSON.parse(wrangler("d1", "execute", "DB", "--json", "--command", statements.join(";\n"))) as { results: Record<string, unknown>[] }[];
  return out.map((r) => r.results);
}

test("upgrading a database with a direct chat to the latest schema keeps every row and foreign key", () => {
  const all = readdirSync(join(repo, "worker/migrations")).filter((f) => f.endsWith(".sql")).sort();
  const before = all.filter((f) => f < "0005");
  mkdirSync(migrations);
  for (const f of before) cpSync(join(repo, "worker/migrations", f), join(migrations, f));
  writeFileSync(config, readFileSync(join(repo, "wrangler.toml"), "utf8").replace(/^migrations_dir = ".*"$/m, `migrations_dir = ${JSON.stringify(migrations)}`).replace(/^main = ".*"$/m, `main = ${JSON.stringify(join(repo, "worker/index.ts"))}`).replace(/^directory = ".*"$/m, `directory = ${JSON.stringify(join(repo, "dist/web"))}`));
  wrangler("d1", "migrations", "apply", "DB");
  wrangler(
    "d1",
    "execute",
    "DB",
    "--command",
    `INSERT INTO accounts (id, username, created_at) VALUES ('a1', 'alice', 1), ('b1', 'bob', 1);
     INSERT INTO devices (device_id, account_id, signing_key, box_key, added_seq, created_at) VALUES ('da', 'a1', x'00', x'00', 0, 1), ('db', 'b1', x'00', x'00', 0, 1);
     INSERT INTO conversations (id, kind, member_a, member_b, created_at) VALUES ('c1', 'direct', 'a1', 'b1', 1);
     INSERT INTO conversation_members VALUES ('c1', 'a1'), ('c1', 'b1');
     INSERT INTO epochs VALUES ('c1', 0, x'01', x'02', 'da', 1);
     INSERT INTO messages VALUES ('c1', 1, 'a1', 'da', 'm1', x'03', 1);`,
  );

  for (const f of all.filter((x) => !before.includes(x))) cpSync(join(repo, "worker/migrations", f), join(migrations, f));
  wrangler("d1", "migrations", "apply", "DB");

  const [conversations, members, epochs, messages, fkProblems, temporary, index] = query(
    "SELECT id, kind, member_a, member_b FROM conversations",
    "SELECT COUNT(*) AS n FROM conversation_members",
    "SELECT conversation_id, epoch FROM epochs",
    "SELECT conversation_id, seq, client_message_id FROM messages",
    "PRAGMA foreign_key_check",
    // No table still points at a rebuilt table's temporary name, and the index came back.
    "SELECT name FROM sqlite_master WHERE sql LIKE '%_v2%'",
    "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'conversation_members_by_account'",
  );
  expect(conversations).toEqual([{ id: "c1", kind: "direct", member_a: "a1", member_b: "b1" }]);
  expect(members).toEqual([{ n: 2 }]);
  expect(epochs).toEqual([{ conversation_id: "c1", epoch: 0 }]);
  expect(messages).toEqual([{ conversation_id: "c1", seq: 1, client_message_id: "m1" }]);
  expect(fkProblems).toEqual([]);
  expect(temporary).toEqual([]);
  expect(index).toHaveLength(1);
  // Foreign keys still hold: a message for a conversation that does not exist is refused.
  expect(() => wrangler("d1", "execute", "DB", "--command", "INSERT INTO messages VALUES ('nope', 1, 'a1', 'da', 'm2', x'03', 1)")).toThrow(/FOREIGN KEY/);
  // And a group can now be stored next to the direct chat.
  wrangler("d1", "execute", "DB", "--command", "INSERT INTO conversations (id, kind, created_at) VALUES ('g1', 'group', 2)");
  expect(() => wrangler("d1", "execute", "DB", "--command", "INSERT INTO conversations (id, kind, created_at) VALUES ('c2', 'direct', 2)")).toThrow(/CHECK/);
});
