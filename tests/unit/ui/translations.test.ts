// Every message in the source has a German translation (issue 21): de.xlf has a non-empty <target> for
// every <trans-unit>, with the same placeholders as its <source>; its ids are exactly what
// `lit-localize extract` finds in the source now (run into a temporary folder, so a msg() added without
// `npm run l10n:extract` fails here); and the generated module web/src/locales/de.ts carries every id.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const XLIFF = join(ROOT, "web/xliff/de.xlf");

interface Unit {
  readonly id: string;
  readonly source: string;
  readonly target: string | undefined;
}

function parseXliff(xml: string): Unit[] {
  const units: Unit[] = [];
  for (const m of xml.matchAll(/<trans-unit id="([^"]+)">([\s\S]*?)<\/trans-unit>/g)) {
    const body = m[2] ?? "";
    units.push({
      id: m[1] ?? "",
      source: /<source>([\s\S]*?)<\/source>/.exec(body)?.[1] ?? "",
      target: /<target>([\s\S]*?)<\/target>/.exec(body)?.[1],
    });
  }
  return units;
}

/** The placeholders of a message (`<x id="0" equiv-text="${name}"/>`), as a sorted list of their ids and texts. */
const placeholders = (s: string) => [...s.matchAll(/<x id="(\d+)" equiv-text="([^"]*)"\/>/g)].map((m) => `${m[1]}=${m[2]}`).sort();

const units = parseXliff(readFileSync(XLIFF, "utf8"));
let extracted: Unit[] = [];
let tmp = "";

beforeAll(() => {
  // The project's config with the interchange folder moved to a temporary one: the committed files stay untouched.
  tmp = mkdtempSync(join(tmpdir(), "sealed-l10n-"));
  const config = JSON.parse(readFileSync(join(ROOT, "lit-localize.json"), "utf8")) as Record<string, unknown> & { output: Record<string, unknown> };
  const tmpConfig = {
    ...config,
    tsConfig: join(ROOT, "web/tsconfig.json"),
    output: { ...config.output, outputDir: join(tmp, "locales"), localeCodesModule: join(tmp, "locales/locale-codes.ts") },
    interchange: { format: "xliff", xliffDir: join(tmp, "xliff") },
  };
  const configPath = join(tmp, "lit-localize.json");
  writeFileSync(configPath, JSON.stringify(tmpConfig));
  execFileSync(process.execPath, [join(ROOT, "node_modules/@lit/localize-tools/bin/lit-localize.js"), "extract", "--config", configPath], { cwd: ROOT, stdio: "pipe" });
  extracted = parseXliff(readFileSync(join(tmp, "xliff/de.xlf"), "utf8"));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("German translations", () => {
  test("the catalogue is not empty", () => {
    expect(units.length).toBeGreaterThan(500);
  });

  test("every message has a non-empty German target", () => {
    const untranslated = units.filter((u) => !u.target || u.target.trim() === "").map((u) => u.source);
    expect(untranslated).toEqual([]);
  });

  test("every target keeps exactly the placeholders of its source", () => {
    const broken = units.filter((u) => JSON.stringify(placeholders(u.source)) !== JSON.stringify(placeholders(u.target ?? ""))).map((u) => u.source);
    expect(broken).toEqual([]);
  });

  test("the catalogue holds exactly the messages in the source now (npm run l10n:extract was run)", () => {
    expect(extracted.length).toBeGreaterThan(500);
    expect(units.map((u) => u.id).sort()).toEqual(extracted.map((u) => u.id).sort());
  });

  test("the generated German module has every message (npm run l10n:build was run)", () => {
    const module = readFileSync(join(ROOT, "web/src/locales/de.ts"), "utf8");
    const absent = units.filter((u) => !module.includes(`'${u.id}'`)).map((u) => u.source);
    expect(absent).toEqual([]);
  });
});
