/**
 * The ready-made uptime files checked by the real tools: Pyrometer's
 * check-config and Debian's promtool agree the example config and its rules
 * are valid, promtool's rule unit tests show each alert firing when it should
 * (EndpointDown from 2 regions for 3 minutes, not from Europe alone;
 * EndpointSlow; HeartbeatMissing), and blackbox_exporter itself accepts the
 * bundled config/blackbox.yml.
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { ensureCommand } from "../support/apt.ts";

const root = resolve(import.meta.dirname, "../..");
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
};

describe("ready-made uptime configuration", () => {
  it("npm run check-config accepts config/uptime.example.yml and its rules", () => {
    const r = run(process.execPath, ["scripts/check-config.ts", "config/uptime.example.yml"]);
    expect(r.out).toContain(" SUCCESS: config/uptime.example.yml is valid prometheus config file syntax");
    expect(r.out).toContain("Checking config/rules/uptime.rules.yml\n  SUCCESS: 8 rules found");
    expect(r.code).toBe(0);
  });

  it("promtool accepts the same config and rules", () => {
    const promtool = ensureCommand("promtool", "prometheus");
    const config = run(promtool, ["check", "config", "config/uptime.example.yml"]);
    expect(config.out).toContain("SUCCESS: 8 rules found");
    expect(config.code).toBe(0);
    expect(run(promtool, ["check", "rules", "config/rules/uptime.rules.yml"]).code).toBe(0);
  });

  it("promtool's rule unit tests: the alerts fire when they should, and only then", () => {
    const promtool = ensureCommand("promtool", "prometheus");
    const r = run(promtool, ["test", "rules", "test/fixtures/uptime/uptime.rules.test.yml"]);
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("blackbox_exporter accepts the bundled config/blackbox.yml", () => {
    const bb = ensureCommand("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
    const r = run(bb, ["--config.check", "--config.file=config/blackbox.yml"]);
    expect(r.out).toContain("Config file is ok");
    expect(r.code).toBe(0);
  });
});
