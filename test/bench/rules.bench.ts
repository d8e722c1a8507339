/**
 * Rule evaluation: one group of 100 rules (50 recording rules aggregating
 * `rate(x[5m])` by job, 50 alerting rules over it, each firing for 1% of the
 * series with templated labels and annotations) over 10,000 series (1 h at
 * 15 s) in MemoryStorage. Figures:
 * - rule_eval_ms: CPU time of one group evaluation (mean of 5, after a warm-up);
 * - rule_eval_selects / rule_eval_commits: storage selects and append batches
 *   per evaluation. Under workers/rules each select is one RPC per head shard
 *   (plus the R2 block index read) and each commit one RPC per head shard, so
 *   DO requests per group evaluation = 1 (alarm) + (selects + commits) × HEAD_SHARDS.
 */
import type { BenchCase, BenchFigure } from "./harness.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import type { Matcher } from "../../shared/labels/matcher.ts";
import { MemoryStorage } from "../../shared/tsdb/memory.ts";
import type { Querier, SelectHints, SeriesData } from "../../shared/tsdb/querier.ts";
import { Engine } from "../../shared/promql/index.ts";
import { parseRuleFile } from "../../shared/config/rule-file.ts";
import { compileGroup, engineQueryFunc, evalGroup, newGroupState } from "../../shared/rules/group.ts";
import type { GroupOptions } from "../../shared/rules/group.ts";

const SERIES = 10_000;
const SCRAPE = 15_000;
const HOUR = 3_600_000;
const RULES = 100;

class CountingQuerier implements Querier {
  selects = 0;
  readonly #q: Querier;
  constructor(q: Querier) {
    this.#q = q;
  }
  select(m: readonly Matcher[], h: SelectHints): Promise<SeriesData[]> {
    this.selects++;
    return this.#q.select(m, h);
  }
  labelNames(m: readonly Matcher[], h: SelectHints): Promise<string[]> {
    return this.#q.labelNames(m, h);
  }
  labelValues(n: string, m: readonly Matcher[], h: SelectHints): Promise<string[]> {
    return this.#q.labelValues(n, m, h);
  }
}

function rulesYaml(): string {
  let y = "groups:\n  - name: bench\n    interval: 1m\n    rules:\n";
  for (let i = 0; i < RULES / 2; i++) {
    y += `      - record: job:x:rate5m_${i}\n        expr: sum by (job) (rate(x[5m])) * ${i + 1}\n`;
    // Series s grows by (s % 100) + 1 per scrape: rate = ((s % 100) + 1) / 15; one in 100 exceeds the threshold.
    y += `      - alert: XHigh${i}\n        expr: rate(x[5m]) > ${(99 / 15).toFixed(4)}\n        for: 5m\n`;
    y += `        labels:\n          severity: '{{ if gt $value 6.0 }}page{{ else }}ticket{{ end }}'\n`;
    y += `        annotations:\n          summary: '{{ $labels.instance }} of {{ $labels.job }} at {{ $value | humanize }}/s'\n`;
  }
  return y;
}

const cases: BenchCase[] = [
  {
    names: ["rule_eval_ms", "rule_eval_selects", "rule_eval_commits"],
    async run(): Promise<BenchFigure[]> {
      const st = new MemoryStorage();
      const points = HOUR / SCRAPE + 1;
      const t = new Float64Array(points);
      for (let i = 0; i < points; i++) t[i] = i * SCRAPE;
      for (let s = 0; s < SERIES; s++) {
        const v = new Float64Array(points);
        for (let i = 0; i < points; i++) v[i] = i * ((s % 100) + 1);
        st.appendBatch([{ labels: labelsFromRecord({ __name__: "x", job: `job-${s % 20}`, instance: `host-${s}` }), t, v }]);
      }
      const group = compileGroup(parseRuleFile(rulesYaml(), "bench.yml").groups[0]!, { evaluationInterval: 60_000, ruleQueryOffset: 0 });
      const state = newGroupState(group);
      for (const r of state.rules) r.restored = true;
      const q = new CountingQuerier(st);
      let commits = 0;
      let written = 0;
      const opts: GroupOptions = {
        query: engineQueryFunc(new Engine(), q),
        querier: q,
        externalLabels: [],
        externalURL: "http://localhost:8787",
        append: async (samples) => {
          commits++;
          written += samples.length;
        },
      };
      let ts = 30 * 60_000;
      await evalGroup(group, state, ts, opts); // warm-up
      const runs = 5;
      q.selects = 0;
      commits = 0;
      written = 0;
      const c0 = process.cpuUsage();
      for (let i = 0; i < runs; i++) {
        ts += 60_000;
        await evalGroup(group, state, ts, opts);
      }
      const c = process.cpuUsage(c0);
      const firing = state.rules.reduce((n, r) => n + r.active.length, 0);
      if (firing === 0) throw new Error("bench rules produced no alerts");
      const note = `${RULES} rules, ${SERIES} series, ${firing} active alerts, ${Math.round(written / runs)} samples written per evaluation`;
      return [
        { name: "rule_eval_ms", value: Math.round(((c.user + c.system) / 1000 / runs) * 10) / 10, unit: "ms", note: `CPU time per group evaluation, ${note}` },
        { name: "rule_eval_selects", value: q.selects / runs, unit: "selects", note: "storage selects per group evaluation" },
        { name: "rule_eval_commits", value: commits / runs, unit: "commits", note: "append batches per group evaluation (rules that read earlier output force a flush)" },
      ];
    },
  },
];

export default cases;
