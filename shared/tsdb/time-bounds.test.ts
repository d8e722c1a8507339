import { describe, it, expect } from "vitest";
import { BLOCK_RANGE_MS, blockCutDue, nextCutRange, referenceTime, retentionCutoff } from "./time-bounds.ts";

const H = 3600_000;
const now = 1_760_000_000_000;
const grace = 10 * 60_000;
const year2100 = 4102444800000;

describe("time bounds of block cutting and retention", () => {
  it("takes the newest data as now, capped at the wall clock plus the grace", () => {
    expect(referenceTime(now - H, now, grace)).toBe(now - H);
    expect(referenceTime(year2100, now, grace)).toBe(now + grace);
    expect(referenceTime(Number.MAX_SAFE_INTEGER, now, grace)).toBe(now + grace);
  });

  it("cuts a block when the head spans more than 1.5 ranges up to the reference time", () => {
    expect(blockCutDue({ numSamples: 10, minTime: now - 3 * H - 1, maxTime: now }, now, grace)).toBe(true);
    expect(blockCutDue({ numSamples: 10, minTime: now - 2 * H, maxTime: now }, now, grace)).toBe(false);
    expect(blockCutDue({ numSamples: 0, minTime: NaN, maxTime: NaN }, now, grace)).toBe(false);
  });

  it("does not cut the head because of one sample from the far future", () => {
    expect(blockCutDue({ numSamples: 2, minTime: now - H, maxTime: year2100 }, now, grace)).toBe(false);
    expect(blockCutDue({ numSamples: 2, minTime: now - H, maxTime: 2 ** 53 - 1 }, now, grace)).toBe(false);
  });

  it("keeps Prometheus's rule for history: the newest data, not the wall clock, anchors old data", () => {
    // A head holding only last year's samples (an import) still cuts by its own span.
    const lastYear = now - 365 * 24 * H;
    expect(blockCutDue({ numSamples: 2, minTime: lastYear, maxTime: lastYear + 4 * H }, now, grace)).toBe(true);
    expect(retentionCutoff(lastYear, now, 15 * 24 * H, grace)).toBe(lastYear - 15 * 24 * H);
  });

  it("never puts retention's cutoff past the wall clock minus the retention", () => {
    const retention = 15 * 24 * H;
    expect(retentionCutoff(year2100, now, retention, grace)).toBe(now + grace - retention);
    expect(retentionCutoff(now, now, retention, grace)).toBe(now - retention);
    expect(retentionCutoff(-Infinity, now, retention, grace)).toBeUndefined();
  });

  it("cuts aligned ranges from the oldest end", () => {
    expect(nextCutRange(BLOCK_RANGE_MS * 5 + 123)).toEqual({ start: BLOCK_RANGE_MS * 5, end: BLOCK_RANGE_MS * 6 });
    expect(nextCutRange(-1)).toEqual({ start: -BLOCK_RANGE_MS, end: 0 });
  });
});
