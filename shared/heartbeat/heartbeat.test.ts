import { describe, it, expect } from "vitest";
import { heartbeatPush } from "./heartbeat.ts";
import { parsePushBody } from "../pushgateway/parse-body.ts";

describe("heartbeat pings", () => {
  it("become a PUT of the period to the group {job=heartbeat, name}", () => {
    const p = heartbeatPush("nightly-backup", "10m");
    expect(p.path).toBe("/metrics/job/heartbeat/name/nightly-backup");
    expect(p.body).toMatch(/^pyrometer_heartbeat_period_seconds 600$/m);
    expect(heartbeatPush("x", null).body).toMatch(/^pyrometer_heartbeat_period_seconds 3600$/m);
    // The Pushgateway accepts the body as it is.
    expect(() => parsePushBody(new TextEncoder().encode(p.body), "text/plain; version=0.0.4")).not.toThrow();
  });

  it("reject bad names and periods", () => {
    expect(() => heartbeatPush("a/b", null)).toThrow(/invalid heartbeat name/);
    expect(() => heartbeatPush("", null)).toThrow(/invalid heartbeat name/);
    // Dot segments: the Pushgateway path /metrics/job/heartbeat/name/.. would lose the name.
    for (const dots of [".", ".."]) expect(() => heartbeatPush(dots, null)).toThrow(/invalid heartbeat name/);
    expect(heartbeatPush("...", null).path).toBe("/metrics/job/heartbeat/name/...");
    expect(() => heartbeatPush("x", "soon")).toThrow(/invalid parameter "period"/);
    expect(() => heartbeatPush("x", "500ms")).toThrow(/between 1s and 366d/);
  });
});
