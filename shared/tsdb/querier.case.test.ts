/**
 * @module
 * The conformance suite every Querier implementation runs (hono's
 * common.case.test pattern: vitest skips this file; each implementation's
 * test calls runQuerierSuite). Expected results come from a brute-force
 * oracle over the same fixture, so the suite checks behaviour, not one
 * implementation against another.
 */
import { describe, it, expect } from "vitest";
import { compareLabels, labelsFromRecord, labelsToString } from "../labels/labels.ts";
import type { Labels } from "../labels/labels.ts";
import { Matcher, matchLabels } from "../labels/matcher.ts";
import type { MatchType } from "../labels/matcher.ts";
import type { Querier, SelectHints, SeriesData } from "./querier.ts";
import { STALE_NAN, isStaleNaN } from "./querier.ts";

const STEP = 15_000;
/** 2026-01-01T00:00:00Z, so long series cross several 2 h chunk ranges. */
const T0 = 1_767_225_600_000;

function series(rec: Record<string, string>, t: number[], v: number[] | Float64Array): SeriesData {
  return { labels: labelsFromRecord(rec), t: Float64Array.from(t), v: v instanceof Float64Array ? v : Float64Array.from(v) };
}

function regular(rec: Record<string, string>, n: number, start = T0, step = STEP, f = (i: number) => i): SeriesData {
  const t: number[] = [];
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t.push(start + i * step);
    v[i] = f(i);
  }
  return series(rec, t, v);
}

/** Values that must survive bit for bit, set one by one into a Float64Array (a literal array would canonicalize NaNs). */
function specialValues(): Float64Array {
  const v = new Float64Array(8);
  v[0] = 1;
  v[1] = STALE_NAN;
  v[2] = NaN;
  v[3] = Infinity;
  v[4] = -Infinity;
  v[5] = -0;
  v[6] = STALE_NAN;
  v[7] = 2.5;
  return v;
}

export /** n samples from start every step, values from f. */
function ramp(labels: Labels, n: number, start: number, step: number, f = (i: number) => i): SeriesData {
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = start + i * step;
    v[i] = f(i);
  }
  return { labels, t, v };
}

/** The fixture, deliberately not in label order. */
export function fixture(): SeriesData[] {
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let jitterT = T0;
  const jitter: number[] = [];
  for (let i = 0; i < 2000; i++) {
    jitterT += rnd() < 0.05 ? Math.floor(rnd() * 3_600_000) : STEP + Math.floor((rnd() - 0.5) * 10);
    jitter.push(jitterT);
  }
  return [
    regular({ __name__: "up", job: "db", instance: "c" }, 100, T0 + 5_000, STEP, () => 1),
    regular({ __name__: "up", job: "api", instance: "b" }, 100, T0, STEP, (i) => (i % 10 === 0 ? 0 : 1)),
    regular({ __name__: "up", job: "api", instance: "a" }, 100),
    regular({ __name__: "http_requests_total", job: "api", method: "GET", code: "200" }, 300, T0, STEP, (i) => i * 3),
    regular({ __name__: "http_requests_total", job: "api", method: "POST", code: "500" }, 300, T0, STEP, (i) => Math.floor(i / 7)),
    regular({ __name__: "node_cpu_seconds_total", cpu: "0", mode: "idle" }, 50, T0, STEP, (i) => i * 14.97),
    regular({ __name__: "node_cpu_seconds_total", cpu: "1", mode: "idle" }, 50, T0, STEP, (i) => i * 14.5),
    series({ __name__: "specials", job: "edge" }, [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5, T0 + 6, T0 + 7], specialValues()),
    regular({ __name__: "multiline", path: "a\nb" }, 3),
    regular({ __name__: "unicode", name: "größe✓" }, 3),
    // Long enough to span many chunks and 2 h chunk ranges.
    regular({ __name__: "long_series", job: "api" }, 5000, T0 - 3_600_000, STEP, (i) => Math.sin(i / 50) * 100),
    series({ __name__: "jittery", job: "db" }, jitter, jitter.map((_, i) => (i % 13 === 0 ? rnd() * 1e9 : i))),
    // Only late data: absent from early ranges.
    regular({ __name__: "late", job: "db" }, 10, T0 + 10_000_000),
    // Two samples in one chunk with a long gap: ranges inside the gap must not see it.
    series({ __name__: "sparse", only_sparse: "x" }, [T0 + 1000, T0 + 7_000_000], [1, 2]),
    // Negative timestamps (before 1970).
    regular({ __name__: "ancient", job: "db" }, 20, -1_000_000, 60_000),
  ];
}

const ALL: SelectHints = { start: -Number.MAX_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER };

/** What a correct querier returns: a brute-force filter of the fixture. */
function oracle(data: SeriesData[], matchers: readonly Matcher[], h: SelectHints): SeriesData[] {
  const out: SeriesData[] = [];
  for (const s of data) {
    if (!matchLabels(matchers, s.labels)) continue;
    const keep: number[] = [];
    for (let i = 0; i < s.t.length; i++) if (s.t[i]! >= h.start && s.t[i]! <= h.end) keep.push(i);
    if (keep.length === 0) continue;
    const t = new Float64Array(keep.length);
    const v = new Float64Array(keep.length);
    keep.forEach((j, k) => {
      t[k] = s.t[j]!;
      v[k] = s.v[j]!;
    });
    out.push({ labels: s.labels, t, v });
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

/** Renders series with value bit patterns, so NaN payloads and -0 are compared exactly. */
function render(ss: SeriesData[]): string[] {
  return ss.map((s) => {
    const bits = new BigUint64Array(Float64Array.from(s.v).buffer);
    const pts = Array.from(s.t, (t, i) => `${t}:${bits[i]!.toString(16)}`);
    return `${labelsToString(s.labels)} ${pts.join(" ")}`;
  });
}

function names(ss: SeriesData[]): string[] {
  return ss.map((s) => labelsToString(s.labels));
}

function m(type: MatchType, name: string, value: string): Matcher {
  return new Matcher(type, name, value);
}

function labelNamesOracle(data: SeriesData[], matchers: readonly Matcher[], h: SelectHints): string[] {
  return [...new Set(oracle(data, matchers, h).flatMap((s) => s.labels.map((l) => l.name)))].sort();
}

function labelValuesOracle(data: SeriesData[], name: string, matchers: readonly Matcher[], h: SelectHints): string[] {
  const vals = oracle(data, matchers, h).flatMap((s) => s.labels.filter((l) => l.name === name).map((l) => l.value));
  return [...new Set(vals)].sort();
}

const MATCHER_CASES: [string, Matcher[]][] = [
  ["equality", [m("=", "job", "api")]],
  ["name and label", [m("=", "__name__", "up"), m("=", "job", "api")]],
  ["not-equal selects series without the label", [m("!=", "job", "api")]],
  ["not-equal on a missing label selects all", [m("!=", "nope", "x")]],
  ["regex is anchored", [m("=~", "job", "ap")]],
  ["regex prefix", [m("=~", "job", "ap.*")]],
  ["regex alternation", [m("=~", "job", "api|db")]],
  ["negative regex selects series without the label", [m("!~", "job", "api")]],
  ["negative regex anchored", [m("!~", "job", "ap")]],
  ["empty equality selects series without the label", [m("=", "job", "")]],
  ["empty regex selects series without the label", [m("=~", "job", "")]],
  ["regex matching empty or a value", [m("=~", "job", "api|")]],
  ["match-all regex selects everything", [m("=~", "job", ".*")]],
  ["non-empty regex requires the label", [m("=~", "job", ".+")]],
  ["negated non-empty regex selects series without the label", [m("!~", "job", ".+")]],
  ["not-empty selects series with the label", [m("!=", "job", "")]],
  ["regex on a missing label", [m("=~", "nope", "x.*")]],
  ["dot matches newline", [m("=~", "path", "a.b")]],
  ["unicode value", [m("=", "name", "größe✓")]],
  ["unicode regex", [m("=~", "name", "gr.ße.")]],
  ["conflicting matchers", [m("=", "job", "api"), m("=", "job", "db")]],
  ["mixed positive and negative", [m("=~", "__name__", "up|http_.*"), m("!=", "instance", "a"), m("!~", "code", "5..")]],
  ["case sensitive", [m("=", "job", "API")]],
  ["case-insensitive flag", [m("=~", "job", "(?i)API")]],
  ["no matchers selects all", []],
];

export function runQuerierSuite(name: string, make: (data: SeriesData[]) => Promise<Querier>): void {
  describe(`Querier conformance: ${name}`, () => {
    const data = fixture();
    const querier = make(fixture());

    describe("matchers", () => {
      for (const [title, ms] of MATCHER_CASES) {
        it(title, async () => {
          const q = await querier;
          const got = await q.select(ms, ALL);
          expect(render(got)).toEqual(render(oracle(data, ms, ALL)));
        });
      }

      it("covers the cases the oracle says it should (the fixture exercises each)", () => {
        expect(names(oracle(data, [m("!=", "job", "api")], ALL))).toContain('{__name__="multiline", path="a\\nb"}');
        expect(oracle(data, [m("=~", "job", "ap")], ALL)).toEqual([]);
        expect(oracle(data, [m("=~", "path", "a.b")], ALL)).toHaveLength(1);
      });
    });

    describe("time ranges", () => {
      const up = [m("=", "__name__", "up")];
      it("includes samples exactly at start and end", async () => {
        const q = await querier;
        const h = { start: T0 + STEP, end: T0 + 3 * STEP };
        const got = await q.select(up, h);
        expect(render(got)).toEqual(render(oracle(data, up, h)));
        const a = got.find((s) => s.labels.some((l) => l.value === "a"))!;
        expect(Array.from(a.t)).toEqual([T0 + STEP, T0 + 2 * STEP, T0 + 3 * STEP]);
      });

      it("a single instant selects only series with a sample at it", async () => {
        const q = await querier;
        const h = { start: T0 + 5_000, end: T0 + 5_000 };
        expect(names(await q.select(up, h))).toEqual(['{__name__="up", instance="c", job="db"}']);
      });

      it("omits series without samples in range", async () => {
        const q = await querier;
        const h = { start: T0 + 1, end: T0 + 4_999 };
        expect(await q.select(up, h)).toEqual([]);
        const late = await q.select([m("=", "job", "db")], { start: T0, end: T0 + 20 * STEP });
        expect(names(late)).not.toContain('{__name__="late", job="db"}');
      });

      it("cuts long series at arbitrary bounds across chunks", async () => {
        const q = await querier;
        const ms = [m("=~", "__name__", "long_series|jittery")];
        for (const h of [
          { start: T0 - 3_600_000 + 7, end: T0 + 7_200_000 },
          { start: T0 + 7_199_999, end: T0 + 7_200_001 },
          { start: T0 + 3_000_000, end: T0 + 50_000_000 },
          { start: T0 + 60_000_000, end: T0 + 70_000_000 },
          { start: T0 + 1_000_000, end: T0 + 1_000_001 },
        ]) {
          expect(render(await q.select(ms, h))).toEqual(render(oracle(data, ms, h)));
        }
      });

      it("handles negative timestamps", async () => {
        const q = await querier;
        const ms = [m("=", "__name__", "ancient")];
        const h = { start: -700_000, end: 0 };
        expect(render(await q.select(ms, h))).toEqual(render(oracle(data, ms, h)));
      });
    });

    it("returns every series sorted by labels with all samples", async () => {
      const q = await querier;
      const got = await q.select([], ALL);
      expect(render(got)).toEqual(render(oracle(data, [], ALL)));
      const sorted = [...got].sort((a, b) => compareLabels(a.labels, b.labels));
      expect(names(got)).toEqual(names(sorted));
    });

    it("preserves stale markers, NaN, infinities and -0 bit for bit", async () => {
      const q = await querier;
      const [s] = await q.select([m("=", "__name__", "specials")], ALL);
      expect(s).toBeDefined();
      expect(render([s!])).toEqual(render([data.find((d) => labelsToString(d.labels).includes("specials"))!]));
      expect(isStaleNaN(s!.v[1]!)).toBe(true);
      expect(isStaleNaN(s!.v[2]!)).toBe(false);
      expect(Number.isNaN(s!.v[2]!)).toBe(true);
      expect(isStaleNaN(s!.v[6]!)).toBe(true);
      expect(Object.is(s!.v[5], -0)).toBe(true);
    });

    describe("label names and values", () => {
      it("lists all label names sorted", async () => {
        const q = await querier;
        expect(await q.labelNames([], ALL)).toEqual(labelNamesOracle(data, [], ALL));
        expect(await q.labelNames([], ALL)).toContain("__name__");
      });

      it("restricts names by matchers and time", async () => {
        const q = await querier;
        for (const [ms, h] of [
          [[m("=", "__name__", "node_cpu_seconds_total")], ALL],
          [[m("!=", "job", "api")], ALL],
          [[], { start: T0 + 10_000_000, end: T0 + 10_000_000 + STEP }],
          [[m("=", "job", "nope")], ALL],
          [[], { start: T0 + 2000, end: T0 + 6_000_000 }],
          [[m("=", "only_sparse", "x")], { start: T0 + 1000, end: T0 + 1000 }],
        ] as [Matcher[], SelectHints][]) {
          expect(await q.labelNames(ms, h)).toEqual(labelNamesOracle(data, ms, h));
        }
      });

      it("lists values sorted, restricted by matchers and time", async () => {
        const q = await querier;
        for (const [name, ms, h] of [
          ["job", [], ALL],
          ["__name__", [], ALL],
          ["instance", [m("=", "job", "api")], ALL],
          ["job", [m("=~", "__name__", "up|late")], { start: T0 + 10_000_000, end: T0 + 20_000_000 }],
          ["job", [], { start: -2_000_000, end: -1 }],
          ["nope", [], ALL],
          ["code", [m("!~", "method", "GET")], ALL],
        ] as [string, Matcher[], SelectHints][]) {
          expect(await q.labelValues(name, ms, h)).toEqual(labelValuesOracle(data, name, ms, h));
        }
        expect(await q.labelValues("job", [], ALL)).toEqual(["api", "db", "edge"]);
      });

      it("a range inside a series' gap does not see that series", async () => {
        const q = await querier;
        const h = { start: T0 + 2000, end: T0 + 6_000_000 };
        expect(await q.labelNames([], h)).not.toContain("only_sparse");
        expect(await q.labelValues("only_sparse", [], h)).toEqual([]);
        expect(await q.select([m("=", "__name__", "sparse")], h)).toEqual([]);
        expect(await q.labelValues("only_sparse", [], ALL)).toEqual(["x"]);
      });

      it("a time range between samples finds nothing", async () => {
        const q = await querier;
        const h = { start: -999_999_999_999, end: -999_999_999_000 };
        expect(await q.labelNames([], h)).toEqual([]);
        expect(await q.labelValues("job", [], h)).toEqual([]);
      });
    });
  });
}

