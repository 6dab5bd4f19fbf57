// .ci/run names the test file that was running when its time cap fired (scripts/running-at.mjs).
import { describe, expect, it } from "vitest";
import { runningAt } from "../../../scripts/running-at.mjs";

const log = ["100 start tests/e2e/a.test.ts", "200 end tests/e2e/a.test.ts", "300 start tests/e2e/b.test.ts", "900 end tests/e2e/b.test.ts", ""].join("\n");

describe("runningAt", () => {
  it("names the file started before the cap and not ended by then", () => {
    expect(runningAt(log, 500)).toEqual(["tests/e2e/b.test.ts"]);
  });
  it("ignores ends written after the cap (the interruption ending the file)", () => {
    expect(runningAt(log, 899)).toEqual(["tests/e2e/b.test.ts"]);
  });
  it("names nothing between files", () => {
    expect(runningAt(log, 250)).toEqual([]);
  });
});
