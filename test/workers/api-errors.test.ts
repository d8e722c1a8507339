import { describe, it, expect } from "vitest";
import { SELF } from "cloudflare:test";

// Handlers throw; the app's one onError renders Prometheus's error envelope.
describe("API errors", () => {
  it("renders every handler's error as {status, errorType, error} with Prometheus's status", async () => {
    const cases: [string, number, string][] = [
      ["/api/v1/query?query=up{job=", 400, "bad_data"],
      ["/api/v1/query", 400, "bad_data"],
      ["/api/v1/query_range?query=up&start=1&end=2", 400, "bad_data"],
      ["/api/v1/query_range?query=up&start=0&end=100000000&step=1", 400, "bad_data"],
      ["/api/v1/format_query?query=sum(", 400, "bad_data"],
      ["/api/v1/labels?match[]={", 400, "bad_data"],
      ["/api/v1/label/job/values?start=x", 400, "bad_data"],
      ["/api/v1/series", 400, "bad_data"],
      ["/api/v1/targets?state=nope", 400, "bad_data"],
      ["/api/v1/metadata?limit=x", 400, "bad_data"],
    ];
    for (const [path, status, errorType] of cases) {
      const res = await SELF.fetch(`http://localhost${path}`);
      expect(res.status, path).toBe(status);
      expect(await res.json(), path).toEqual({ status: "error", errorType, error: expect.any(String) });
    }
  });
});
