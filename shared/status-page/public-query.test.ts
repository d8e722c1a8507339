import { describe, it, expect } from "vitest";
import { checkPublicStatusRange, parsePublicStatusQuery, PUBLIC_STATUS_LIMITS } from "./public-query.ts";
import { ApiError } from "../api/errors.ts";

describe("public status page queries", () => {
  it("allows the probe metrics in any expression", () => {
    for (const q of [
      "probe_success",
      'avg by (job, instance) (avg_over_time(probe_success{job=~"web|api"}[90d]))',
      "min by (job, instance) (probe_success) * on (job, instance) avg by (job, instance) (probe_duration_seconds)",
      '{__name__="probe_success"}',
    ]) expect(() => parsePublicStatusQuery(q)).not.toThrow();
  });

  it("refuses other series with a 403 naming the selector's position", () => {
    for (const [q, pos] of [["up", "0-2"], ['probe_success + on() group_left count(node_cpu_seconds_total)', "38-60"], ['{__name__=~"probe_.*"}', "0-22"], ["1 + 1", ""]] as const) {
      let err: unknown;
      try {
        parsePublicStatusQuery(q);
      } catch (e) {
        err = e;
      }
      expect(err, q).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(403);
      if (pos) expect((err as ApiError).message).toContain(`selector at ${pos}`);
    }
  });

  it("refuses queries costlier than the page's own with a 400 naming the part", () => {
    for (const [q, msg] of [
      ["max_over_time(probe_success[30d:1s])", "does not run subqueries (at 14-35)"],
      ["avg_over_time(probe_success[91d])", "at most 90d per range selector"],
      ["info(probe_success)", "does not run info() (at 0-19)"],
      ["avg_over_time(probe_success[range()])", "needs a fixed range"],
      [Array(PUBLIC_STATUS_LIMITS.maxSelectors + 1).fill("probe_success").join(" + "), "at most 10 selectors, not 11"],
    ] as const) {
      let err: unknown;
      try {
        parsePublicStatusQuery(q);
      } catch (e) {
        err = e;
      }
      expect(err, q).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).message).toContain(msg);
    }
    expect(() => parsePublicStatusQuery("avg_over_time(probe_success[90d])")).not.toThrow();
    expect(() => checkPublicStatusRange(0, 8 * 86400_000)).not.toThrow();
    expect(() => checkPublicStatusRange(0, 8 * 86400_000 + 1)).toThrow(/span at most 8d/);
  });

  it("reports parse errors as such", () => {
    expect(() => parsePublicStatusQuery("probe_success{")).toThrow(/parse error|unexpected/);
  });
});
