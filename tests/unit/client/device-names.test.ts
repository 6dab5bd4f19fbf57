import { describe, expect, test } from "vitest";
import { defaultDeviceName, distinctDeviceName, isDefaultDeviceName } from "../../../web/src/client/identity/device-names.js";

describe("device names", () => {
  test("a default name another device has gets the next free number", () => {
    expect(distinctDeviceName("Chrome on Linux", [])).toBe("Chrome on Linux");
    expect(distinctDeviceName("Chrome on Linux", ["Firefox on Linux"])).toBe("Chrome on Linux");
    expect(distinctDeviceName("Chrome on Linux", ["Chrome on Linux"])).toBe("Chrome on Linux 2");
    expect(distinctDeviceName("Chrome on Linux", ["Chrome on Linux", "Chrome on Linux 2", "Chrome on Linux 4"])).toBe("Chrome on Linux 3");
  });

  test("the default name says browser and system", () => {
    const chromeLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
    expect(defaultDeviceName(chromeLinux)).toBe("Chrome on Linux");
    expect(defaultDeviceName("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15")).toBe("Safari on macOS");
    expect(defaultDeviceName("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox on Windows");
    // Both devices of a link tell a default name from a typed one the same way, so both seal the same name.
    expect(isDefaultDeviceName(defaultDeviceName(chromeLinux))).toBe(true);
    expect(isDefaultDeviceName("Work laptop")).toBe(false);
    expect(isDefaultDeviceName("Chrome on Linux 2")).toBe(false);
  });
});
