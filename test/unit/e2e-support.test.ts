import { describe, it, expect } from "vitest";
import { relative, resolve } from "node:path";
import { startEnv, TEST_CONFIG } from "../support/pyrometer.ts";

describe("e2e support", () => {
  it("starts Pyrometer with the tests' own config, never the user's config/prometheus.yml", () => {
    const root = resolve(import.meta.dirname, "../..");
    expect(relative(root, TEST_CONFIG)).toBe("test/e2e/prometheus.yml");
    expect(startEnv({ state: "/s" }, 1).PYROMETER_CONFIG).toBe(TEST_CONFIG);
    expect(startEnv({ state: "/s", config: "/c.yml" }, 1).PYROMETER_CONFIG).toBe("/c.yml");
  });

  it("does not pass the developer's tokens on unless a test asks", () => {
    process.env.WRITE_TOKEN = "from-the-shell";
    try {
      expect(startEnv({ state: "/s" }, 1).WRITE_TOKEN).toBeUndefined();
      expect(startEnv({ state: "/s", env: { WRITE_TOKEN: "t" } }, 1).WRITE_TOKEN).toBe("t");
    } finally {
      delete process.env.WRITE_TOKEN;
    }
  });
});
