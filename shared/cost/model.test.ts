import { describe, it, expect } from "vitest";
import { monthlyCost, ticksPerSecond } from "./model.ts";
import type { Design, Workload } from "./model.ts";

/**
 * 30,000 series per shard: at the measured 3 h peak with its block cut
 * (test/bench: head_bytes_per_series_3h_block_cut, 2.8 KB a series) 85 MB of 128 MB.
 */
const base: Design = { kind: "paired", seriesPerShard: 30_000, tickS: 1, duration: "active", activeSPerTick: { scheduler: 0.1, head: 0.01 } };
const big: Workload = { series: 500_000, intervalS: 15, seriesPerTarget: 500, retentionDays: 15 };
const small: Workload = {
  series: 10_000,
  intervalS: 60,
  seriesPerTarget: 500,
  retentionDays: 15,
  // Without `region` (the default): 11 probe_* series of an http_2xx probe plus 5 scrape series (docs/cost.md, "Probes").
  probes: { endpoints: 100, intervalS: 30, regions: 0, seriesPerProbe: 16 },
};

function show(name: string, r: ReturnType<typeof monthlyCost>) {
  const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString("en") : x.toFixed(2));
  console.log(`${name}: ${r.shards} shards, ${r.objects} objects, $${r.total.toFixed(2)}\n` + r.lines.map((l) => `  ${l.item}: ${fmt(l.volume)} → $${l.cost.toFixed(2)}`).join("\n"));
}

describe("monthly cost model", () => {
  it("counts ticks as occupied one-second slots", () => {
    expect(ticksPerSecond(1, 15, 1)).toBeCloseTo(1 / 15);
    expect(ticksPerSecond(1000, 15, 1)).toBeCloseTo(1);
    expect(ticksPerSecond(40, 15, 1)).toBeGreaterThan(0.9);
  });

  it("500,000 series at 15 s: paired shards fit $150 a month; routing by series hash does not", () => {
    const paired = monthlyCost(big, base);
    const merged = monthlyCost(big, { ...base, kind: "merged" });
    const hashed = monthlyCost(big, { ...base, kind: "hashed" });
    show("500k paired", paired);
    show("500k merged", merged);
    show("500k hashed", hashed);
    show("500k paired, every object billed awake", monthlyCost(big, { ...base, duration: "always-on" }));
    show("500k merged, every object billed awake", monthlyCost(big, { ...base, kind: "merged", duration: "always-on" }));
    expect(paired.shards).toBe(17);
    expect(paired.total).toBeLessThanOrEqual(150);
    expect(merged.total).toBeLessThan(paired.total);
    expect(hashed.total).toBeGreaterThan(2 * paired.total);
  });

  it("10,000 series at 60 s and 100 probes every 30 s: $6 a month with the base fee", () => {
    const r = monthlyCost(small, base);
    show("10k + probes without region (in the scheduler's ticks)", r);
    expect(r.total).toBeLessThanOrEqual(6);
    // The probe targets occupy tick slots of their own: more ticks than the scrapes alone.
    const scrapesOnly = monthlyCost({ ...small, probes: undefined }, base);
    expect(r.lines[1]!.volume).toBeGreaterThan(2 * scrapesOnly.lines[1]!.volume);
    // From regions: a Prober request per probe per region, and the Prober's duration.
    for (const regions of [1, 3]) {
      const regional = monthlyCost({ ...small, probes: { ...small.probes!, regions } }, base);
      show(`10k + probes from ${regions} region(s)`, regional);
      expect(regional.total).toBeGreaterThan(r.total);
    }
  });

  it("10 million series at 15 s, on paper", () => {
    const r = monthlyCost({ ...big, series: 10_000_000 }, base);
    show("10M paired", r);
    expect(r.shards).toBe(334);
  });
});
