/**
 * The built UI (ui/dist) stays small, and every route the Worker serves is
 * routed to the Worker ahead of the static assets.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { resolve, join } from "node:path";
import { ensureUiBuilt } from "../../../scripts/build-ui.ts";

const root = resolve(import.meta.dirname, "../../..");
const LIMIT_BYTES = 400 * 1024;

/** Cloudflare's run_worker_first globs: `*` matches anything, including `/`. */
function globMatches(glob: string, path: string): boolean {
  const re = new RegExp("^" + glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  return re.test(path);
}

function workerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? workerFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
}

describe("built UI", () => {
  beforeAll(() => ensureUiBuilt(), 120_000);

  it("JS + CSS are under 400 kB gzipped", () => {
    const dir = resolve(root, "ui/dist/assets");
    const files = readdirSync(dir).filter((f) => f.endsWith(".js") || f.endsWith(".css"));
    expect(files.some((f) => f.endsWith(".js"))).toBe(true);
    const total = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
    console.log(`ui/dist JS + CSS: ${(total / 1024).toFixed(1)} kB gzipped in ${files.length} files`);
    expect(total).toBeLessThan(LIMIT_BYTES);
  });
});

describe("wrangler.toml [assets]", () => {
  const toml = readFileSync(resolve(root, "wrangler.toml"), "utf8");
  const list = /run_worker_first\s*=\s*\[([^\]]*)\]/.exec(toml)?.[1] ?? "";
  const globs = [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);

  it("serves ui/dist as a single-page app", () => {
    expect(toml).toMatch(/\[assets\][^[]*directory = "\.\/ui\/dist"/);
    expect(toml).toMatch(/not_found_handling = "single-page-application"/);
  });

  it("sends every Worker route to the Worker, and no UI page", () => {
    // Every path literal a hono router registers under workers/.
    const routes = new Set<string>();
    for (const f of workerFiles(resolve(root, "workers"))) {
      for (const m of readFileSync(f, "utf8").matchAll(/\.(?:get|post|put|delete|patch|all|on)\(\s*(?:\[[^\]]*\]\s*,\s*)?"(\/[^"]*)"/g)) routes.add(m[1]!);
    }
    expect(routes.size).toBeGreaterThan(10);
    const unrouted = [...routes].filter((r) => !globs.some((g) => globMatches(g, r.replace(/:[^/]+\{[^}]*\}|:[^/]+/g, "x"))));
    expect(unrouted).toEqual([]);
    for (const p of ["/api/v1/query", "/api/v2/silences", "/metrics", "/metrics/job/x", "/federate", "/probe", "/heartbeat/abc", "/-/ready", "/graph", "/status"]) {
      expect(globs.some((g) => globMatches(g, p)), p).toBe(true);
    }
    for (const p of ["/", "/query", "/targets", "/alerts", "/rules", "/alertmanager", "/assets/index.js"]) {
      expect(globs.some((g) => globMatches(g, p)), p).toBe(false);
    }
  });
});
