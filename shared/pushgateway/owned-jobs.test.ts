import { describe, it, expect } from "vitest";
import { ownedJobs, checkNotOwned } from "./owned-jobs.ts";
import { parseGroupingKeyPath } from "./grouping-key.ts";
import { ApiError } from "../api/errors.ts";

describe("pushes that claim a scraped job", () => {
  const owned = ownedJobs([
    { jobName: "pyrometer", metricsPath: "/metrics" },
    { jobName: "node", metricsPath: "/metrics" },
    { jobName: "pushgateway", metricsPath: "/pushgateway/metrics" },
  ]);

  it("owns every scrape job but the ones scraping the built-in Pushgateway", () => {
    expect(owned).toEqual(["pyrometer", "node"]);
  });

  it("refuses the grouping key's job when owned, in plain and base64 form", () => {
    expect(() => checkNotOwned(parseGroupingKeyPath("/metrics/job/node/instance/x"), owned)).toThrow(ApiError);
    expect(() => checkNotOwned(parseGroupingKeyPath("/metrics/job@base64/bm9kZQ"), owned)).toThrow(/job "node" is refused/);
    expect(() => checkNotOwned(parseGroupingKeyPath("/metrics/job/pushgateway"), owned)).not.toThrow();
    expect(() => checkNotOwned(parseGroupingKeyPath("/metrics/job/nightly"), owned)).not.toThrow();
  });
});
