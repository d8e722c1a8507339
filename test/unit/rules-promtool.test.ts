// Same input into both: each rule unit-test file under test/fixtures/rules runs
// through Debian's `promtool test rules` and Pyrometer's `npm run test-rules`;
// exit code, stdout and stderr must be identical.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { ensureCommand } from "../support/apt.ts";

const dir = resolve(import.meta.dirname, "../fixtures/rules");
const script = resolve(import.meta.dirname, "../../scripts/test-rules.ts");
const files = readdirSync(dir).filter((f) => f.endsWith(".test.yml")).sort();

describe("npm run test-rules matches promtool test rules", () => {
  const promtool = ensureCommand("promtool", "prometheus");
  for (const f of files) {
    it(f, () => {
      const want = spawnSync(promtool, ["test", "rules", f], { cwd: dir, encoding: "utf8", timeout: 120_000 });
      const got = spawnSync(process.execPath, [script, f], { cwd: dir, encoding: "utf8", timeout: 120_000 });
      expect(got.stderr).toBe(want.stderr);
      expect(got.stdout).toBe(want.stdout);
      expect(got.status).toBe(want.status);
    });
  }

  it("covers passing and failing files", () => {
    const codes = files.map((f) => spawnSync(promtool, ["test", "rules", f], { cwd: dir }).status);
    expect(codes).toContain(0);
    expect(codes).toContain(1);
  });
});
