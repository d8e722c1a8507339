/**
 * npm test: the whole suite (unit tests in Node, Worker tests in workerd,
 * end-to-end tests against `npm start`), then one last line
 * `N passed, N failed` counted from vitest's JSON report.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = resolve(root, "test-results/vitest.json");
mkdirSync(resolve(root, "test-results"), { recursive: true });
// vitest runs on this very Node (24, from node_modules), whatever PATH says.
const run = spawnSync(
  process.execPath,
  [resolve(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit", env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" } },
);

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(out, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { status: string; assertionResults: unknown[] }[];
  };
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  // A test file that failed to load has no test results: count it as one failure.
  for (const f of report.testResults) if (f.status === "failed" && f.assertionResults.length === 0) failed++;
} catch {
  failed = Math.max(failed, 1);
}
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
