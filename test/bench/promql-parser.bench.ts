// PromQL parsing throughput: the corpus queries, and one long query to show parsing stays linear.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseExpr } from "../../shared/promql/parser.ts";
import { exprToString } from "../../shared/promql/printer.ts";
import type { BenchCase } from "./harness.ts";
import { timeIt } from "./harness.ts";
import { PROMQL_TESTDATA } from "../fixtures/paths.ts";

const DIR = PROMQL_TESTDATA;
const EVAL = /^eval(?:_\w+)?\s+(?:instant\s+(?:at\s+.+?)?|range\s+from\s+.+\s+to\s+.+\s+step\s+.+?)\s+(.+)$/;

function corpusQueries(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(DIR).filter((n) => n.endsWith(".test"))) {
    for (const line of readFileSync(join(DIR, f), "utf8").split("\n")) {
      const m = EVAL.exec(line.trim());
      if (m !== null) out.push(m[1]!);
    }
  }
  return out;
}

/** `sum by (job) (rate(m0{a="0"}[5m])) + sum by (job) (rate(m1{a="1"}[5m])) + ...` with n terms. */
function longQuery(n: number): string {
  const terms: string[] = [];
  for (let i = 0; i < n; i++) terms.push(`sum by (job) (rate(m${i}{a="${i}", b=~"x|y"}[5m] offset 1m))`);
  return terms.join(" + ");
}

const cases: BenchCase[] = [
  {
    names: ["promql_parse_corpus_queries_per_s", "promql_print_corpus_queries_per_s"],
    run() {
      const qs = corpusQueries();
      const parse = timeIt(() => {
        for (const q of qs) parseExpr(q);
      });
      const asts = qs.map((q) => parseExpr(q));
      const print = timeIt(() => {
        for (const a of asts) exprToString(a);
      });
      const note = `${qs.length} queries from the Prometheus test corpus`;
      return [
        { name: "promql_parse_corpus_queries_per_s", value: qs.length / parse, unit: "queries/s", note },
        { name: "promql_print_corpus_queries_per_s", value: qs.length / print, unit: "queries/s", note },
      ];
    },
  },
  {
    names: ["promql_parse_long_query_mb_per_s_1k_terms", "promql_parse_long_query_mb_per_s_10k_terms"],
    run() {
      return [1_000, 10_000].map((n) => {
        const q = longQuery(n);
        const s = timeIt(() => parseExpr(q), 1500);
        return { name: `promql_parse_long_query_mb_per_s_${n / 1000}k_terms`, value: q.length / 1e6 / s, unit: "MB/s", note: `${q.length} chars` };
      });
    },
  },
];

export default cases;
