import { describe, it, expect } from "vitest";
import { SELF } from "cloudflare:test";

const put = (path: string, body: string) => SELF.fetch(`http://localhost${path}`, { method: "PUT", body, headers: { "content-type": "text/plain; version=0.0.4" } });

describe("the Pushgateway refuses to forge a scrape-owned job", () => {
  it("refuses a push under a job a scrape config owns, accepts others and the pushgateway job itself", async () => {
    const res = await put("/metrics/job/pyrometer", "up 0\n");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/job "pyrometer" is refused: the scrape config with job_name "pyrometer" owns that job/);
    const b64 = await put("/metrics/job@base64/cHlyb21ldGVy", "up 0\n");
    expect(b64.status, "the base64 form of the same job").not.toBe(200);
    expect((await put("/metrics/job/pushgateway", "x 1\n")).status).toBe(200);
    expect((await put("/metrics/job/nightly-batch", "x 1\n")).status).toBe(200);
    const exposition = await (await SELF.fetch("http://localhost/pushgateway/metrics")).text();
    expect(exposition).not.toMatch(/job="pyrometer"/);
  });
});

describe("reload and the status API", () => {
  it("POST and PUT /-/reload reload; GET is 405; the reload gauges are in /metrics", async () => {
    const before = Date.now();
    expect((await SELF.fetch("http://localhost/-/reload", { method: "POST" })).status).toBe(200);
    expect((await SELF.fetch("http://localhost/-/reload", { method: "PUT" })).status).toBe(200);
    expect((await SELF.fetch("http://localhost/-/reload")).status).toBe(405);
    const metrics = await (await SELF.fetch("http://localhost/metrics")).text();
    expect(metrics).toMatch(/^prometheus_config_last_reload_successful 1$/m);
    const ts = Number(/^prometheus_config_last_reload_success_timestamp_seconds (\S+)$/m.exec(metrics)![1]);
    expect(ts).toBeGreaterThanOrEqual(Math.floor(before / 1000));
  });

  it("serves the config with secrets hidden, flags, runtimeinfo", async () => {
    const config = (await (await SELF.fetch("http://localhost/api/v1/status/config")).json()) as { data: { yaml: string } };
    expect(config.data.yaml).toMatch(/job_name: pyrometer/);
    const flags = (await (await SELF.fetch("http://localhost/api/v1/status/flags")).json()) as { data: Record<string, string> };
    expect(flags.data["storage.tsdb.retention.time"]).toBe("15d");
    const rt = (await (await SELF.fetch("http://localhost/api/v1/status/runtimeinfo")).json()) as { data: Record<string, unknown> };
    expect(rt.data).toMatchObject({ reloadConfigSuccess: true, storageRetention: "15d" });
    expect(Date.parse(rt.data.startTime as string)).toBeGreaterThan(Date.parse("2020-01-01"));
  });

  it("reports head cardinality with a limit, and refuses a bad limit", async () => {
    const now = Date.now();
    const body = Array.from({ length: 5 }, (_, i) => `card_test{i="${i}"} 1 ${now}`).join("\n") + "\n";
    expect((await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body })).status).toBe(200);
    const tsdb = (await (await SELF.fetch("http://localhost/api/v1/status/tsdb?limit=1")).json()) as { data: { headStats: { numSeries: number }; seriesCountByMetricName: { name: string; value: number }[] } };
    expect(tsdb.data.headStats.numSeries).toBeGreaterThanOrEqual(5);
    expect(tsdb.data.seriesCountByMetricName).toEqual([{ name: "card_test", value: 5 }]);
    const bad = await SELF.fetch("http://localhost/api/v1/status/tsdb?limit=0");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: "error", errorType: "bad_data" });
  });

  it("answers query_exemplars with an empty list, and bad_data for a bad query", async () => {
    expect(await (await SELF.fetch("http://localhost/api/v1/query_exemplars?query=up")).json()).toEqual({ status: "success", data: [] });
    const bad = await SELF.fetch("http://localhost/api/v1/query_exemplars?query=up{");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errorType: "bad_data" });
  });
});
