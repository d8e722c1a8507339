/**
 * The layering the standards ask for, checked on the source text:
 * - the roles in workers/ (its top-level folders) never import each other in a circle;
 * - shared/ never imports workers/, cloudflare:* or node:* (tests beside it may use node:*).
 */
import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";

const root = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|mts)$/.test(name) && !name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports (type-only imports included: they tie roles together too). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*\(?\s*["']([^"']+)["']/gmu;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2])!);
  return out;
}

/** The role (top-level folder of workers/) a path belongs to, or undefined for files directly in workers/. */
function roleOf(file: string): string | undefined {
  const rel = relative(join(root, "workers"), file).split(sep);
  return rel.length > 1 && rel[0] !== ".." ? rel[0] : undefined;
}

/** Role → roles it imports. */
function roleGraph(): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const file of sourceFiles(join(root, "workers"))) {
    const from = roleOf(file);
    if (from === undefined) continue;
    if (!g.has(from)) g.set(from, new Set());
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const to = roleOf(resolve(dirname(file), spec));
      if (to !== undefined && to !== from) g.get(from)!.add(to);
    }
  }
  return g;
}

/** One cycle per strongly connected group of roles, as `a -> b -> a`. */
export function findCycles(g: Map<string, Set<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    stack.push(n);
    for (const m of g.get(n) ?? []) {
      if (state.get(m) === "open") cycles.push([...stack.slice(stack.indexOf(m)), m].join(" -> "));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of [...g.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}

describe("module structure", () => {
  it("finds a cycle when there is one (the checker itself)", () => {
    const g = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], ["d", new Set(["a"])]]);
    expect(findCycles(g)).toEqual(["a -> b -> c -> a"]);
    expect(importsOf(`import type { X } from "../head/x.ts";\nexport { Y } from "./y.ts";\nconst z = await import("../q/z.ts");`)).toEqual(["../head/x.ts", "./y.ts", "../q/z.ts"]);
  });

  it("roles in workers/ do not import each other in a circle", () => {
    expect(findCycles(roleGraph())).toEqual([]);
  });

  it("shared/ imports no workers/, cloudflare:* or node:* module outside tests", () => {
    const bad: string[] = [];
    for (const file of sourceFiles(join(root, "shared"))) {
      if (/\.test\.ts$/.test(file)) continue;
      for (const spec of importsOf(readFileSync(file, "utf8"))) {
        const target = spec.startsWith(".") ? relative(root, resolve(dirname(file), spec)) : spec;
        if (/^(cloudflare:|node:)/.test(spec) || target.startsWith(`workers${sep}`)) bad.push(`${relative(root, file)} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
