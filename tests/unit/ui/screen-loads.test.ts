import { describe, expect, test } from "vitest";
import { isLoaded, loadScreen } from "../../../web/src/ui/screen-loads.js";

describe("loadScreen", () => {
  test("loads a screen once, however many ask", async () => {
    let calls = 0;
    const loader = () => Promise.resolve(++calls);
    expect(isLoaded(loader)).toBe(false);
    await Promise.all([loadScreen(loader), loadScreen(loader)]);
    await loadScreen(loader);
    expect(calls).toBe(1);
    expect(isLoaded(loader)).toBe(true);
  });

  test("forgets a failed load, so the next call tries again", async () => {
    let calls = 0;
    const loader = () => (++calls === 1 ? Promise.reject(new TypeError("Failed to fetch dynamically imported module")) : Promise.resolve());
    await expect(loadScreen(loader)).rejects.toThrow("Failed to fetch");
    expect(isLoaded(loader)).toBe(false);
    await loadScreen(loader);
    expect(calls).toBe(2);
    expect(isLoaded(loader)).toBe(true);
  });
});
