// The import rules of docs/ARCHITECTURE.md, checked over the real source tree with dependency-cruiser.
import { cruise, type ICruiseResult } from "dependency-cruiser";
import { describe, expect, it } from "vitest";
import config from "../../../.dependency-cruiser.mjs";

const ROOTS = ["protocol", "web/src", "worker"];

async function violations(): Promise<string[]> {
  const out = await cruise(ROOTS, { validate: true, ruleSet: { forbidden: config.forbidden }, ...config.options });
  const result = out.output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name).join(" -> ")})` : ""}`);
}

describe("import rules", () => {
  it("the source tree breaks none of them", async () => {
    expect(await violations()).toEqual([]);
  }, 60_000);

  it("a cycle is caught (the check can fail)", async () => {
    const out = await cruise(["tests/unit/architecture/fixtures/cycle"], { validate: true, ruleSet: { forbidden: config.forbidden }, ...config.options });
    const names = (out.output as ICruiseResult).summary.violations.map((v) => v.rule.name);
    expect(names).toContain("no-circular");
  }, 60_000);

  it("a component importing a client internal is caught, and one going through the door is not", async () => {
    // The fixture mirrors web/src/ (ui/, client/index.ts, client/store/db.ts) so the real rule's paths match.
    const { tsConfig: _ignored, ...options } = config.options;
    const out = await cruise(["web/src"], { validate: true, ruleSet: { forbidden: config.forbidden }, ...options, baseDir: "tests/unit/architecture/fixtures/ui-door" });
    const found = (out.output as ICruiseResult).summary.violations.filter((v) => v.rule.name === "ui-through-the-client-door").map((v) => `${v.from} -> ${v.to}`);
    expect(found).toEqual(["web/src/ui/sealed-past-door.ts -> web/src/client/store/db.ts"]);
  }, 60_000);
});
