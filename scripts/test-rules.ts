/**
 * `npm run test-rules -- FILE...`: runs rule unit-test files in
 * `promtool test rules` format against Pyrometer's rule evaluation, with
 * promtool's output and exit codes (0 all passed, 1 a test failed).
 * Rule file globs are resolved relative to the test file, as promtool does.
 */
import { globSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { ruleUnitTest } from "../shared/rules/unit-test.ts";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: npm run test-rules -- test.yml...");
  process.exit(2);
}
let failed = false;
for (const f of files) {
  const base = dirname(f);
  let text: string;
  try {
    text = readFileSync(f, "utf8");
  } catch (e) {
    process.stdout.write(`Unit Testing:  ${f}\n`);
    process.stderr.write(`  FAILED:\n    ${(e as Error).message}\n`);
    process.stdout.write("\n\n");
    failed = true;
    continue;
  }
  const res = await ruleUnitTest(f, text, {
    glob: (p) => {
      const abs = isAbsolute(p) ? p : join(base, p);
      const matches = /[*?[]/.test(p) ? globSync(abs).sort() : (() => { try { readFileSync(abs); return [abs]; } catch { return []; } })();
      return matches.map((m) => (isAbsolute(p) ? m : relative(process.cwd(), m)));
    },
    read: (p) => readFileSync(p, "utf8"),
    showPattern: (p) => (isAbsolute(p) ? p : join(base, p)),
  });
  // promtool interleaves: errors on stderr, blank lines on stdout.
  process.stdout.write(res.stdout);
  process.stderr.write(res.stderr);
  if (res.failed) failed = true;
}
process.exit(failed ? 1 : 0);
