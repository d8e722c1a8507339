import { describe, it, expect } from "vitest";
import { ApiError } from "../api/errors.ts";
import { parseFormat } from "../textparse/index.ts";
import { STALE_NAN, isStaleNaN } from "../tsdb/querier.ts";
import { labelsToString } from "../labels/labels.ts";
import type { MetricFamily } from "../exposition/index.ts";
import { PushGroups, parseGroupingKeyPath, parsePushBody, statusJson, INCONSISTENT } from "./index.ts";

const T0 = 1_700_000_000_000;
const key = (p: string) => parseGroupingKeyPath(p);
const fam = (text: string) => parsePushBody(text, "text/plain; version=0.0.4");

/** The exposition read back by the text parser: `name{labels}` → value. */
function scrape(pg: PushGroups): Map<string, number> {
  const out = new Map<string, number>();
  const text = pg.exposition();
  parseFormat(text, "prometheus-text", (ls, v) => {
    // The parser drops empty values (instance="") as Prometheus does.
    out.set(labelsToString(ls), v);
  }, { strict: true });
  return out;
}

function rejection(fn: () => void): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error("push was accepted");
}

describe("PushGroups", () => {
  it("PUT replaces the whole group, POST only the same-named families", () => {
    const pg = new PushGroups();
    const k = key("/metrics/job/batch");
    pg.put(k, fam("a 1\nb 2\n"), T0);
    pg.post(k, fam("b 20\nc 30\n"), T0 + 1000);
    let s = scrape(pg);
    expect(s.get('{__name__="a", job="batch"}')).toBe(1);
    expect(s.get('{__name__="b", job="batch"}')).toBe(20);
    expect(s.get('{__name__="c", job="batch"}')).toBe(30);
    pg.put(k, fam("c 300\n"), T0 + 2000);
    s = scrape(pg);
    expect(s.has('{__name__="a", job="batch"}')).toBe(false);
    expect(s.has('{__name__="b", job="batch"}')).toBe(false);
    expect(s.get('{__name__="c", job="batch"}')).toBe(300);
    expect(s.get('{__name__="push_time_seconds", job="batch"}')).toBe((T0 + 2000) / 1000);
    expect(s.get('{__name__="push_failure_time_seconds", job="batch"}')).toBe(0);
  });

  it("empty PUT clears metrics but bumps push_time_seconds; empty POST only bumps it", () => {
    const pg = new PushGroups();
    const k = key("/metrics/job/j");
    pg.put(k, fam("a 1\n"), T0);
    pg.post(k, [], T0 + 5000);
    let s = scrape(pg);
    expect(s.get('{__name__="a", job="j"}')).toBe(1);
    expect(s.get('{__name__="push_time_seconds", job="j"}')).toBe(T0 / 1000 + 5);
    pg.put(k, [], T0 + 9000);
    s = scrape(pg);
    expect(s.has('{__name__="a", job="j"}')).toBe(false);
    expect(s.get('{__name__="push_time_seconds", job="j"}')).toBe(T0 / 1000 + 9);
    expect(pg.size).toBe(1);
  });

  it("DELETE removes only the exact group", () => {
    const pg = new PushGroups();
    pg.put(key("/metrics/job/some_job"), fam("a 1\n"), T0);
    pg.put(key("/metrics/job/some_job/instance/some_instance"), fam("a 2\n"), T0);
    expect(pg.delete(key("/metrics/job/some_job"))).toBe(true);
    expect(pg.delete(key("/metrics/job/some_job"))).toBe(false);
    const s = scrape(pg);
    expect([...s.keys()].filter((k) => k.startsWith('{__name__="a"'))).toEqual(['{__name__="a", instance="some_instance", job="some_job"}']);
    pg.wipe();
    expect(pg.size).toBe(0);
    expect(pg.exposition()).toBe("");
  });

  it("grouping labels override pushed labels and instance defaults to empty", () => {
    const pg = new PushGroups();
    pg.put(key("/metrics/job/real/zone/eu"), fam('m{job="fake",zone="us",x="1"} 5\nn{instance="i1"} 6\n'), T0);
    const s = scrape(pg);
    expect(s.get('{__name__="m", job="real", x="1", zone="eu"}')).toBe(5);
    expect(s.get('{__name__="n", instance="i1", job="real", zone="eu"}')).toBe(6);
    expect(pg.exposition()).toContain('m{instance="",job="real",x="1",zone="eu"} 5\n');
  });

  it("rejects pushes with timestamps and records the failure time", () => {
    const pg = new PushGroups();
    const k = key("/metrics/job/j");
    pg.put(k, fam("a 1\n"), T0);
    expect(scrape(pg).get('{__name__="push_failure_time_seconds", job="j"}')).toBe(0);
    const e = rejection(() => pg.post(k, fam("a 2 1700000000000\n"), T0 + 3000));
    expect(e.message).toBe("pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps");
    expect(e.status).toBe(400);
    const s = scrape(pg);
    expect(s.get('{__name__="a", job="j"}')).toBe(1);
    expect(s.get('{__name__="push_failure_time_seconds", job="j"}')).toBe(T0 / 1000 + 3);
    expect(s.get('{__name__="push_time_seconds", job="j"}')).toBe(T0 / 1000);
    expect(pg.metricsJson().data[0]!.last_push_successful).toBe(false);
    pg.post(k, fam("a 3\n"), T0 + 4000);
    expect(pg.metricsJson().data[0]!.last_push_successful).toBe(true);
  });

  it("a rejected push to a new group creates it with push_time_seconds 0", () => {
    const pg = new PushGroups();
    rejection(() => pg.put(key("/metrics/job/new"), fam("a 1 5\n"), T0));
    const s = scrape(pg);
    expect(s.get('{__name__="push_time_seconds", job="new"}')).toBe(0);
    expect(s.get('{__name__="push_failure_time_seconds", job="new"}')).toBe(T0 / 1000);
  });

  it("rejects a type that differs from the same family in another group", () => {
    const pg = new PushGroups();
    pg.put(key("/metrics/job/a"), fam("# TYPE x counter\nx 1\n"), T0);
    const e = rejection(() => pg.put(key("/metrics/job/b"), fam("# TYPE x gauge\nx 1\n"), T0));
    expect(e.message).toBe(INCONSISTENT + 'metric family x is pushed as gauge but is a counter in group {job="a"}');
    // Replacing the only holder of the family with another type is fine.
    pg.put(key("/metrics/job/a"), fam("# TYPE x gauge\nx 2\n"), T0);
    pg.put(key("/metrics/job/b"), fam("# TYPE x gauge\nx 1\n"), T0);
    expect(pg.exposition().match(/# TYPE x /g)).toHaveLength(1);
  });

  it("rejects a series that another group already exposes", () => {
    const pg = new PushGroups();
    pg.put(key("/metrics/job/a/instance/i"), fam("x 1\n"), T0);
    const e = rejection(() => pg.put(key("/metrics/job/a"), fam('x{instance="i"} 2\n'), T0));
    expect(e.message).toBe(INCONSISTENT + 'collected metric x{instance="i", job="a"} was collected before with the same name and label values');
  });

  it("rejects names that collide with a histogram's or summary's series", () => {
    const pg = new PushGroups();
    pg.put(key("/metrics/job/a"), fam('# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), T0);
    expect(rejection(() => pg.put(key("/metrics/job/b"), fam("h_count 3\n"), T0)).message).toBe(
      INCONSISTENT + "metric family h_count collides with histogram h",
    );
    pg.put(key("/metrics/job/c"), fam("s_sum 3\n"), T0);
    expect(rejection(() => pg.put(key("/metrics/job/d"), fam('# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 1\ns_count 1\n'), T0)).message).toBe(
      INCONSISTENT + "metric family s_sum collides with summary s",
    );
  });

  it("tolerates inconsistent help, the latest push winning", () => {
    const pg = new PushGroups();
    pg.put(key("/metrics/job/a"), fam("# HELP x old help\nx 1\n"), T0);
    pg.put(key("/metrics/job/b"), fam("# HELP x new help\nx 2\n"), T0 + 1);
    const text = pg.exposition();
    expect(text.match(/# HELP x .*/g)).toEqual(["# HELP x new help"]);
  });

  it("overrides pushed push_time_seconds with its own", () => {
    const pg = new PushGroups();
    pg.put(key("/metrics/job/a"), fam("push_time_seconds 42\n"), T0);
    expect(scrape(pg).get('{__name__="push_time_seconds", job="a"}')).toBe(T0 / 1000);
  });

  it("renders each family once, sorted, histograms in bucket order with le last", () => {
    const pg = new PushGroups();
    pg.put(
      key("/metrics/job/b"),
      fam('# HELP lat Latency.\n# TYPE lat histogram\nlat_count{path="/x"} 4\nlat_bucket{path="/x",le="+Inf"} 4\nlat_bucket{path="/x",le="0.5"} 3\nlat_sum{path="/x"} 1.5\n'),
      T0,
    );
    pg.put(key("/metrics/job/a"), fam('# HELP lat Latency.\n# TYPE lat histogram\nlat_bucket{le="0.5"} 1\nlat_bucket{le="+Inf"} 1\nlat_sum 0.1\nlat_count 1\n'), T0);
    const text = pg.exposition();
    const lat = text.split("\n").filter((l) => l.startsWith("lat"));
    expect(lat).toEqual([
      'lat_bucket{instance="",job="a",le="0.5"} 1',
      'lat_bucket{instance="",job="a",le="+Inf"} 1',
      'lat_sum{instance="",job="a"} 0.1',
      'lat_count{instance="",job="a"} 1',
      'lat_bucket{instance="",job="b",path="/x",le="0.5"} 3',
      'lat_bucket{instance="",job="b",path="/x",le="+Inf"} 4',
      'lat_sum{instance="",job="b",path="/x"} 1.5',
      'lat_count{instance="",job="b",path="/x"} 4',
    ]);
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(names).toEqual(["lat", "push_failure_time_seconds", "push_time_seconds"]);
    // And the whole exposition parses strictly.
    expect(scrape(pg).size).toBe(12);
  });

  it("serves the /api/v1/metrics JSON shape", () => {
    const pg = new PushGroups();
    pg.put(
      key("/metrics/job/batch"),
      fam(
        '# HELP dur Duration.\n# TYPE dur gauge\ndur 0.25\n# TYPE s summary\ns{quantile="0.5"} 2\ns_sum 10\ns_count 5\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1000000\nh_sum 3\nh_count 1000000\n',
      ),
      T0 + 716,
    );
    const j = pg.metricsJson();
    expect(j.status).toBe("success");
    const g = j.data[0]!;
    expect(g.labels).toEqual({ job: "batch" });
    expect(g.last_push_successful).toBe(true);
    expect(g.dur).toEqual({
      time_stamp: "2023-11-14T22:13:20.716Z",
      type: "GAUGE",
      help: "Duration.",
      metrics: [{ labels: { instance: "", job: "batch" }, value: "0.25" }],
    });
    expect(g.s).toMatchObject({ type: "SUMMARY", metrics: [{ labels: { instance: "", job: "batch" }, quantiles: { "0.5": "2" }, count: "5", sum: "10" }] });
    expect(g.h).toMatchObject({ type: "HISTOGRAM", metrics: [{ buckets: { "1": "1", "+Inf": "1000000" }, count: "1000000", sum: "3" }] });
    expect((g.h as Record<string, unknown>).help).toBeUndefined();
    expect(g.push_time_seconds).toMatchObject({ type: "GAUGE", metrics: [{ value: "1.700000000716e+09" }] });
    expect(Object.keys(g)).toEqual(["labels", "last_push_successful", "dur", "h", "push_failure_time_seconds", "push_time_seconds", "s"]);
  });

  it("serves the /api/v1/status JSON shape", () => {
    expect(statusJson({ startTimeMs: T0, flags: { "web.listen-address": ":9091" }, buildInfo: { version: "1.11.0" } })).toEqual({
      status: "success",
      data: { build_information: { version: "1.11.0" }, flags: { "web.listen-address": ":9091" }, start_time: "2023-11-14T22:13:20Z" },
    });
  });

  it("round-trips through JSON, keeping NaN bits and empty label values", () => {
    const pg = new PushGroups();
    const stale: MetricFamily = { name: "st", help: "", type: "gauge", samples: [{ labels: [], value: STALE_NAN }] };
    pg.put(key("/metrics/job/a/empty@base64/="), [...fam("# TYPE c counter\nc_total 1e+300\ninf +Inf\nnan NaN\n"), stale], T0);
    rejection(() => pg.post(key("/metrics/job/a/empty@base64/="), fam("c_total 1 2\n"), T0 + 1));
    const json = JSON.parse(JSON.stringify(pg.toJSON()));
    const back = PushGroups.fromJSON(json);
    expect(back.exposition()).toBe(pg.exposition());
    expect(back.metricsJson()).toEqual(pg.metricsJson());
    expect(back.toJSON()).toEqual(json);
    const st = json.groups[0].families.find((f: { name: string }) => f.name === "st");
    expect(st.samples[0].value).toBe("NaN:7ff0000000000002");
    const restored = (back.toJSON().groups[0]!.families.find((f) => f.name === "st")!.samples[0]!.value);
    expect(restored).toBe("NaN:7ff0000000000002");
    expect(pg.exposition()).toContain('c_total{empty="",instance="",job="a"} 1e+300');
    expect(isStaleNaN(STALE_NAN)).toBe(true);
  });

  it("names the bad field when restoring broken JSON", () => {
    expect(() => PushGroups.fromJSON({ version: 2, groups: [] })).toThrow(/unsupported version 2/);
    expect(() => PushGroups.fromJSON({ version: 1, groups: [{ labels: { job: "a" }, createdMs: 0, pushTimeMs: 0, failureTimeMs: 0, families: [{ name: "x", help: "", type: "weird", pushedAtMs: 0, samples: [] }] }] })).toThrow(
      'groups[0].families[0].type: unknown metric type "weird"',
    );
    expect(() => PushGroups.fromJSON({ version: 1, groups: [{ labels: {}, createdMs: 0, pushTimeMs: 0, failureTimeMs: 0, families: [] }] })).toThrow(
      "groups[0].labels: a grouping key needs a non-empty job",
    );
    expect(() =>
      PushGroups.fromJSON({ version: 1, groups: [{ labels: { job: "a" }, createdMs: 0, pushTimeMs: 0, failureTimeMs: 0, families: [{ name: "x", help: "", type: "gauge", pushedAtMs: 0, samples: [{ labels: {}, value: "lots" }] }] }] }),
    ).toThrow(/groups\[0\]\.families\[0\]\.samples\[0\]\.value: expected a number/);
  });
});

describe("group limit", () => {
  it("refuses a new group beyond maxGroups with a 400; existing groups still take pushes, and a deleted one frees room", () => {
    const pg = new PushGroups([], { maxGroups: 2 });
    pg.put(key("/metrics/job/a"), fam("m 1\n"), T0);
    pg.put(key("/metrics/job/b"), fam("m 1\n"), T0);
    const e = rejection(() => pg.put(key("/metrics/job/c"), fam("m 1\n"), T0));
    expect(e.status).toBe(400);
    expect(e.message).toBe("too many groups (max 2): delete unused groups before pushing new ones");
    expect(pg.size).toBe(2);
    pg.post(key("/metrics/job/a"), fam("m 2\n"), T0 + 1);
    expect(scrape(pg).get('{__name__="m", job="a"}')).toBe(2);
    pg.delete(key("/metrics/job/b"));
    pg.put(key("/metrics/job/c"), fam("m 3\n"), T0 + 2);
    expect(pg.size).toBe(2);
  });
});

