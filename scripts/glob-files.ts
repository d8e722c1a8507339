/**
 * @module
 * Reads the files that config globs name (relative to the config's folder,
 * as Prometheus and Alertmanager resolve them) into `{"<relative path>": "<text>"}`.
 */
import { globSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";

export function readGlobs(base: string, patterns: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of patterns) {
    const abs = isAbsolute(p) ? p : join(base, p);
    const files = /[*?[]/.test(p) ? globSync(abs) : [abs];
    for (const f of files) {
      try {
        out[relative(base, f)] = readFileSync(f, "utf8");
      } catch {
        // A named file that does not exist matches nothing, as a glob would.
      }
    }
  }
  return out;
}
