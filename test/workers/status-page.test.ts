import { describe, it, expect } from "vitest";
import { SELF } from "cloudflare:test";

const now = Date.now();

async function importText(body: string): Promise<void> {
  const res = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body });
  expect(res.status).toBe(200);
}

describe("/status: the public status page and its data", () => {
  it("answers probe queries in the query API's JSON, instant and range", async () => {
    await importText(`probe_success{job="bb",instance="x"} 1 ${now - 60_000}\nprobe_success{job="bb",instance="x"} 0 ${now - 30_000}\nsecret_metric 42 ${now - 30_000}\n`);
    const inst = await SELF.fetch(`http://localhost/status?query=${encodeURIComponent('min by (instance) (probe_success{job="bb"})')}&time=${now / 1000}`);
    expect(inst.status).toBe(200);
    const body = (await inst.json()) as { status: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    expect(body).toEqual({ status: "success", data: { resultType: "vector", result: [{ metric: { instance: "x" }, value: [now / 1000, "0"] }] } });
    const range = await SELF.fetch(`http://localhost/status?query=probe_success&start=${(now - 60_000) / 1000}&end=${now / 1000}&step=30`);
    const rb = (await range.json()) as { data: { resultType: string; result: { values: [number, string][] }[] } };
    expect(rb.data.resultType).toBe("matrix");
    expect(rb.data.result[0]!.values.map(([, v]) => v)).toEqual(["1", "0", "0"]);
  });

  it("refuses any other series (403) and bad input (400) with Prometheus's error JSON", async () => {
    const res = await SELF.fetch(`http://localhost/status?query=secret_metric`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ status: "error", errorType: "bad_data" });
    const bad = await SELF.fetch(`http://localhost/status?query=${encodeURIComponent("probe_success{")}`);
    expect(bad.status).toBe(400);
    const steps = await SELF.fetch(`http://localhost/status?query=probe_success&start=0&end=100000000&step=1`);
    expect(steps.status).toBe(400);
  });

  it("serves the page itself without a query, and redirects /graph to /query", async () => {
    const page = await SELF.fetch("http://localhost/status");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const g = await SELF.fetch("http://localhost/graph?g0.expr=up&g0.tab=graph", { redirect: "manual" });
    expect(g.status).toBe(302);
    expect(g.headers.get("location")).toBe("/query?g0.expr=up&g0.tab=graph");
  });
});
