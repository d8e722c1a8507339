/**
 * @module
 * Reads the files that config globs name (relative to the config's folder,
 * as Prometheus and Alertmanager resolve them) into `{"<relative path>": "<text>"}`.
 */
import { globSync, readFileSync, writeFileSync } from "node:fs";
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

/**
 * The command line of the scripts that gather config-named files:
 * `node <script> [--write] [config]` prints their JSON, or with `--write`
 * bundles it into `out` as a module the Worker imports at deploy.
 */
export function filesCommand(o: { json: (config: string) => string; defaultConfig: string; out: string; header: string; what: string }): void {
  const args = process.argv.slice(2);
  const write = args[0] === "--write";
  const json = o.json((write ? args[1] : args[0]) ?? o.defaultConfig);
  if (!write) {
    process.stdout.write(json);
    return;
  }
  const files = JSON.parse(json) as Record<string, string>;
  writeFileSync(o.out, `${o.header}const files: Record<string, string> = ${JSON.stringify(files, null, 2)};\nexport default files;\n`);
  console.log(`wrote ${Object.keys(files).length} ${o.what} to ${o.out}`);
}
