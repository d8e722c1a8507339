/**
 * Runs PromQL `.test` scripts against the engine.
 *   npx node scripts/promqltest.ts [files or folders]
 * Default: the vendored test/fixtures/promql-testdata.
 * Prints one line per failing eval, a summary per file, then the float-only
 * count and, last, the count over all evals.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runScript } from "../shared/promql/promqltest/index.ts";
import { PROMQL_TESTDATA } from "../test/fixtures/paths.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const targets = args.length > 0 ? args : [PROMQL_TESTDATA];

function collect(p: string): string[] {
  try {
    if (statSync(p).isDirectory()) return readdirSync(p).filter((f) => f.endsWith(".test")).sort().map((f) => join(p, f));
    return [p];
  } catch (e) {
    console.error(`promqltest: cannot read ${p}: ${(e as Error).message}`);
    process.exit(2);
  }
}

let pass = 0;
let fail = 0;
let floatPass = 0;
let floatFail = 0;
for (const file of targets.flatMap(collect)) {
  const out = await runScript(readFileSync(file, "utf8"));
  let fp = 0;
  let ff = 0;
  for (const e of out.evals) {
    if (e.ok) fp++;
    else {
      ff++;
      console.log(`${basename(file)}:${e.line}: ${e.expr}: ${e.message}`);
    }
    if (e.floatOnly) {
      if (e.ok) floatPass++;
      else floatFail++;
    }
  }
  pass += fp;
  fail += ff;
  console.log(`${basename(file)}: ${fp} passed, ${ff} failed${out.error !== undefined ? ` (${out.error})` : ""}`);
}
console.log(`float-only: ${floatPass} passed, ${floatFail} failed`);
console.log(`${pass} passed, ${fail} failed`);
