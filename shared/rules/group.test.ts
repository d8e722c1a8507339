// Rule evaluation as Prometheus's rules package documents and behaves
// (alerting_rules.md, recording_rules.md; rules/alerting.go semantics), over
// MemoryStorage and the real Engine.
import { describe, expect, it } from "vitest";
import { Engine } from "../promql/engine.ts";
import { MemoryStorage } from "../tsdb/memory.ts";
import { isStaleNaN } from "../tsdb/querier.ts";
import { labelsFromRecord, labelsToRecord } from "../labels/labels.ts";
import { parseRuleFile } from "../config/rule-file.ts";
import {
  RESOLVED_RETENTION_MS, compileGroup, deserializeGroupState, engineQueryFunc, evalGroup, evalTimestamp, newGroupState, restoreForState, serializeGroupState,
} from "./group.ts";
import type { CompiledGroup, GroupOptions, GroupState, NotifierAlert } from "./group.ts";

const S = 1000;
const M = 60 * S;

function setup(yaml: string, series: Record<string, (t: number) => number | undefined>, until = 60 * M, step = 15 * S) {
  const storage = new MemoryStorage();
  for (const [sel, f] of Object.entries(series)) {
    const m = /^(\w+)\{(.*)\}$/.exec(sel)!;
    const rec: Record<string, string> = { __name__: m[1]! };
    for (const kv of m[2]!.split(",").filter(Boolean)) {
      const [k, v] = kv.split("=") as [string, string];
      rec[k] = v.replace(/"/g, "");
    }
    for (let t = 0; t <= until; t += step) {
      const v = f(t);
      if (v !== undefined) storage.appendSeries(labelsFromRecord(rec), t, v);
    }
  }
  const g = compileGroup(parseRuleFile(yaml, "rules.yml").groups[0]!, { evaluationInterval: M, ruleQueryOffset: 0 });
  const state = newGroupState(g);
  for (const r of state.rules) r.restored = true;
  const sent: { ts: number; alerts: NotifierAlert[] }[] = [];
  let now = 0;
  const written: { labels: Record<string, string>; t: number; v: number }[] = [];
  const opts: GroupOptions = {
    query: engineQueryFunc(new Engine(), storage),
    querier: storage,
    externalLabels: labelsFromRecord({ region: "eu" }),
    externalURL: "http://prom.example:9090",
    append: async (samples) => {
      for (const s of samples) {
        storage.appendSeries(s.labels, s.t, s.v);
        written.push({ labels: labelsToRecord(s.labels), t: s.t, v: s.v });
      }
    },
    notify: (alerts) => sent.push({ ts: now, alerts }),
  };
  const run = async (ts: number): Promise<void> => {
    now = ts;
    await evalGroup(g, state, ts, opts);
  };
  return { storage, g, state, opts, sent, written, run };
}

const ALERT = `groups:
  - name: g
    interval: 1m
    rules:
      - alert: HighLoad
        expr: load > 10
        for: 2m
        labels: {severity: page, value_label: '{{ $value }}'}
        annotations: {summary: 'load of {{ $labels.instance }} is {{ $value }}'}
`;

describe("alerting rules", () => {
  it("inactive → pending → firing → inactive (resolved) with for", async () => {
    const t = setup(ALERT, { 'load{instance="a"}': (ts) => (ts >= 2 * M && ts < 10 * M ? 20 : 1) });
    const states: string[] = [];
    for (let ts = 0; ts <= 12 * M; ts += M) {
      await t.run(ts);
      states.push(t.state.rules[0]!.active.map((a) => a.state).join(",") || "-");
    }
    // Active from 2m; pending at 2m and 3m; firing at 4m (2m after ActiveAt); resolved at 10m.
    expect(states).toEqual(["-", "-", "pending", "pending", "firing", "firing", "firing", "firing", "firing", "firing", "inactive", "inactive", "inactive"]);
    const a = t.state.rules[0]!.active[0]!;
    expect(a.activeAt).toBe(2 * M);
    expect(a.firedAt).toBe(4 * M);
    expect(a.resolvedAt).toBe(10 * M);
    expect(labelsToRecord(a.labels)).toEqual({ alertname: "HighLoad", instance: "a", severity: "page", value_label: "20" });
  });

  it("writes ALERTS and ALERTS_FOR_STATE while pending or firing, then marks them stale", async () => {
    const t = setup(ALERT, { 'load{instance="a"}': (ts) => (ts >= 2 * M && ts < 6 * M ? 20 : 1) });
    for (let ts = 0; ts <= 7 * M; ts += M) await t.run(ts);
    const alerts = t.written.filter((w) => w.labels.__name__ === "ALERTS");
    expect(alerts.map((w) => [w.t / M, w.labels.alertstate, isStaleNaN(w.v) ? "stale" : w.v])).toEqual([
      [2, "pending", 1],
      [3, "pending", 1],
      [4, "firing", 1],
      [4, "pending", "stale"],
      [5, "firing", 1],
      [6, "firing", "stale"],
    ]);
    const forState = t.written.filter((w) => w.labels.__name__ === "ALERTS_FOR_STATE" && !isStaleNaN(w.v));
    expect(new Set(forState.map((w) => w.v))).toEqual(new Set([120]));
  });

  it("notifies firing alerts, resends after the resend delay, sends the resolution at once", async () => {
    const t = setup(ALERT, { 'load{instance="a"}': (ts) => (ts < 6 * M + 30 * S ? 20 : 1) }, 60 * M, 30 * S);
    for (let ts = 0; ts <= 9 * M; ts += 30 * S) await t.run(ts);
    const sends = t.sent.map((s) => [s.ts / S, s.alerts[0]!.endsAt! / S]);
    // Fires at 2m; resent when LastSentAt+1m < ts (every 1m30s at a 30s interval), valid for 4 × max(resend delay, interval);
    // resolved at 6m30s and sent at once; a resolved alert is resent on the same schedule while it is kept.
    expect(sends).toEqual([
      [120, 120 + 240],
      [210, 210 + 240],
      [300, 300 + 240],
      [390, 390],
      [480, 390],
    ]);
    const first = t.sent[0]!.alerts[0]!;
    expect(first.startsAt).toBe(2 * M);
    expect(first.generatorURL).toBe("http://prom.example:9090/graph?g0.expr=load+%3E+10&g0.tab=1");
    expect(labelsToRecord(first.annotations)).toEqual({ summary: "load of a is 20" });
  });

  it("drops resolved alerts after 15 minutes", async () => {
    const t = setup(ALERT.replace("for: 2m", "for: 0s"), { 'load{instance="a"}': (ts) => (ts === 0 ? 20 : 1) }, 60 * M, M);
    await t.run(0);
    expect(t.state.rules[0]!.active[0]!.state).toBe("firing");
    await t.run(M);
    expect(t.state.rules[0]!.active[0]!.state).toBe("inactive");
    await t.run(M + RESOLVED_RETENTION_MS);
    expect(t.state.rules[0]!.active).toHaveLength(1);
    await t.run(2 * M + RESOLVED_RETENTION_MS);
    expect(t.state.rules[0]!.active).toHaveLength(0);
  });

  it("keep_firing_for keeps a firing alert after its condition clears", async () => {
    const yaml = ALERT.replace("for: 2m", "for: 0s\n        keep_firing_for: 3m");
    const t = setup(yaml, { 'load{instance="a"}': (ts) => (ts < 2 * M ? 20 : 1) }, 60 * M, M);
    const states: string[] = [];
    for (let ts = 0; ts <= 7 * M; ts += M) {
      await t.run(ts);
      states.push(t.state.rules[0]!.active.map((a) => a.state).join(",") || "-");
    }
    expect(states).toEqual(["firing", "firing", "firing", "firing", "firing", "inactive", "inactive", "inactive"]);
    expect(t.state.rules[0]!.active[0]!.resolvedAt).toBe(5 * M);
  });

  it("a pending alert that clears is removed, not resolved", async () => {
    const t = setup(ALERT, { 'load{instance="a"}': (ts) => (ts === M ? 20 : 1) }, 60 * M, M);
    for (let ts = 0; ts <= 3 * M; ts += M) await t.run(ts);
    expect(t.state.rules[0]!.active).toEqual([]);
    expect(t.sent).toEqual([]);
  });

  it("limit: more alerts than the group's limit is an error and clears the alerts", async () => {
    const yaml = ALERT.replace("    interval: 1m", "    interval: 1m\n    limit: 1");
    const t = setup(yaml, { 'load{instance="a"}': () => 20, 'load{instance="b"}': () => 20 });
    await t.run(0);
    expect(t.state.rules[0]!.health).toBe("err");
    expect(t.state.rules[0]!.lastError).toBe("exceeded limit of 1 with 2 alerts");
    expect(t.state.rules[0]!.active).toEqual([]);
  });

  it("labels that make two alerts identical are an error", async () => {
    const yaml = ALERT.replace("expr: load > 10", "expr: sum without (instance) (load) > 10 or load > 10").replace("value_label: '{{ $value }}'", "instance: x");
    const t = setup(yaml, { 'load{instance="a"}': () => 20 });
    await t.run(0);
    expect(t.state.rules[0]!.lastError).toBe("vector contains metrics with the same labelset after applying alert labels");
  });

  it("template errors become the annotation text, as Prometheus does", async () => {
    const yaml = ALERT.replace("'load of {{ $labels.instance }} is {{ $value }}'", "'{{ humanize \"x\" }}'");
    const t = setup(yaml, { 'load{instance="a"}': () => 20 });
    await t.run(0);
    expect(labelsToRecord(t.state.rules[0]!.active[0]!.annotations).summary).toBe(
      '<error expanding template: error executing template __alert_HighLoad: template: __alert_HighLoad:1:115: executing "__alert_HighLoad" at <humanize "x">: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax>',
    );
  });

  it("state survives serialization (the Durable Object persists it)", async () => {
    const t = setup(ALERT.replace("load > 10", "load != 0"), { 'load{instance="a"}': () => NaN });
    await t.run(0);
    const copy = deserializeGroupState(serializeGroupState(t.state));
    expect(Number.isNaN(copy.rules[0]!.active[0]!.value)).toBe(true);
    expect(copy.rules[0]!.active[0]!.activeAt).toBe(0);
  });
});

describe("recording rules", () => {
  const REC = `groups:
  - name: r
    labels: {team: infra, source: group}
    rules:
      - record: job:load:sum
        expr: sum by (job) (load)
        labels: {source: rule}
      - record: job:load:double
        expr: job:load:sum * 2
`;
  it("writes the vector under the new name with group and rule labels (rule wins); later rules read earlier output", async () => {
    const t = setup(REC, { 'load{job="a",instance="1"}': () => 3, 'load{job="a",instance="2"}': () => 4 });
    await t.run(M);
    expect(t.written.map((w) => [w.labels, w.v])).toEqual([
      [{ __name__: "job:load:sum", job: "a", source: "rule", team: "infra" }, 7],
      // The group's labels are set on every rule's output: `source` from the input series is overwritten.
      [{ __name__: "job:load:double", job: "a", source: "group", team: "infra" }, 14],
    ]);
  });

  it("duplicate output series is an error", async () => {
    const yaml = `groups:\n  - name: r\n    rules:\n      - record: x\n        expr: load\n        labels: {instance: same}\n`;
    const t = setup(yaml, { 'load{instance="1"}': () => 1, 'load{instance="2"}': () => 2 });
    await t.run(0);
    expect(t.state.rules[0]!.lastError).toBe("vector contains metrics with the same labelset after applying rule labels");
  });

  it("series no longer produced get a stale marker; query_offset shifts the evaluation time", async () => {
    const yaml = `groups:\n  - name: r\n    query_offset: 1m\n    rules:\n      - record: x\n        expr: load\n`;
    const t = setup(yaml, { 'load{instance="1"}': (ts) => (ts < 3 * M ? 1 : undefined) }, 20 * M, M);
    await t.run(2 * M);
    await t.run(10 * M);
    expect(t.written.map((w) => [w.t / M, isStaleNaN(w.v) ? "stale" : w.v])).toEqual([
      [1, 1],
      [9, "stale"],
    ]);
  });

  it("a scalar result becomes one series with only the name", async () => {
    const yaml = `groups:\n  - name: r\n    rules:\n      - record: answer\n        expr: "42"\n`;
    const t = setup(yaml, {});
    await t.run(0);
    expect(t.written).toEqual([{ labels: { __name__: "answer" }, t: 0, v: 42 }]);
  });
});

describe("for-state restoration (RestoreForState)", () => {
  const LONG = ALERT.replace("for: 2m", "for: 30m");

  async function restoredActiveAt(downAt: number, restartAt: number, activeAt: number): Promise<number> {
    const t = setup(LONG, { 'load{instance="a"}': () => 20 }, 3 * 60 * M, M);
    // What the previous run wrote: ALERTS_FOR_STATE up to downAt with ActiveAt (seconds).
    const ls = labelsFromRecord({ __name__: "ALERTS_FOR_STATE", alertname: "HighLoad", instance: "a", severity: "page", value_label: "20" });
    for (let ts = activeAt; ts <= downAt; ts += M) t.storage.appendSeries(ls, ts, activeAt / 1000);
    const g: CompiledGroup = t.g;
    const st: GroupState = t.state;
    for (const r of st.rules) r.restored = false;
    await t.run(restartAt);
    await restoreForState(g, st, restartAt, t.opts);
    expect(st.rules[0]!.restored).toBe(true);
    return st.rules[0]!.active[0]!.activeAt;
  }

  it("shifts ActiveAt by the downtime when much of `for` remains", async () => {
    // Active 5m before going down for 10m: 25m remain (> 10m grace), so ActiveAt moves 10m later.
    expect(await restoredActiveAt(60 * M, 70 * M, 55 * M)).toBe(65 * M);
  });

  it("leaves the grace period when less than it remains", async () => {
    // Active 25m before going down: 5m remain (< 10m grace): fires 10m after the restart.
    expect(await restoredActiveAt(60 * M, 70 * M, 35 * M)).toBe(70 * M + 10 * M - 30 * M);
  });

  it("keeps the original ActiveAt when it was already firing", async () => {
    expect(await restoredActiveAt(60 * M, 70 * M, 10 * M)).toBe(10 * M);
  });

  it("nothing is restored past the outage tolerance", async () => {
    expect(await restoredActiveAt(60 * M, 60 * M + 2 * 60 * M, 55 * M)).toBe(60 * M + 2 * 60 * M);
  });
});

describe("evaluation slots", () => {
  it("each group has a stable offset in its interval and slots are interval apart", () => {
    const g = compileGroup(parseRuleFile(ALERT, "rules.yml").groups[0]!, { evaluationInterval: M, ruleQueryOffset: 0 });
    const a = evalTimestamp(g, 1_000_000_000);
    expect(a).toBeLessThanOrEqual(1_000_000_000);
    expect(1_000_000_000 - a).toBeLessThan(M);
    expect(evalTimestamp(g, a + M)).toBe(a + M);
    expect(evalTimestamp(g, a + M - 1)).toBe(a);
  });
});
