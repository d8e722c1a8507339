import { describe, it, expect } from "vitest";
import { parsePublicStatusQuery } from "./public-query.ts";
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

  it("reports parse errors as such", () => {
    expect(() => parsePublicStatusQuery("probe_success{")).toThrow(/parse error|unexpected/);
  });
});
