// The shared known-answer suite inside workerd: the worker verifies signatures with this same code.
import { describe, expect, it } from "vitest";
import { runVectorSuite, type FormatVectors, type PublishedVectors } from "../shared/vector-suite.js";
import published from "../vectors/published.json" with { type: "json" };
import formats from "../vectors/formats.json" with { type: "json" };

describe("known-answer vectors in workerd", async () => {
  const results = await runVectorSuite(crypto.subtle as never, published as PublishedVectors, formats as FormatVectors);
  it("runs every vector", () => expect(results.length).toBeGreaterThan(15));
  it.each(results.map((r) => [r.name, r] as const))("%s", (_name, r) => {
    expect(r.detail ?? "").toBe("");
    expect(r.ok).toBe(true);
  });
});
