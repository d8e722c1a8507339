import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { runScript } from "../../shared/promql/promqltest/index.ts";

import { PROMQL_TESTDATA as CORPUS } from "../fixtures/paths.ts";
/** Float-only evals passing when this was committed; raise it as the engine improves. */
const FLOAT_ONLY_PASSING = 717;

describe("PromQL test corpus", () => {
  it("every file parses and the float-only evals pass", async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith(".test"));
    expect(files.length).toBeGreaterThan(0);
    let floatPass = 0;
    let floatTotal = 0;
    for (const f of files) {
      const out = await runScript(readFileSync(resolve(CORPUS, f), "utf8"));
      expect(out.error, f).toBeUndefined();
      for (const e of out.evals) {
        if (!e.floatOnly) continue;
        floatTotal++;
        if (e.ok) floatPass++;
      }
    }
    expect(floatTotal).toBe(717);
    expect(floatPass).toBeGreaterThanOrEqual(FLOAT_ONLY_PASSING);
  });
  it("reading every selector ahead in one batch (selectMany) gives the same outcome for every eval", async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith(".test"));
    for (const f of files) {
      const text = readFileSync(resolve(CORPUS, f), "utf8");
      const plain = await runScript(text);
      const batched = await runScript(text, { batched: true });
      expect(batched.evals.map((e) => [e.line, e.ok, e.message]), f).toEqual(plain.evals.map((e) => [e.line, e.ok, e.message]));
    }
  });
});
