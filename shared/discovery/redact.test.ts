import { describe, it, expect } from "vitest";
import { redactUrl, redactAddress } from "./redact.ts";
import { parseHttpSdBody } from "./http-sd.ts";
import { buildTargets } from "./targets.ts";
import { parsePrometheusConfig } from "../config/prometheus-config.ts";

describe("credentials in URLs and addresses", () => {
  it("redacts the password as Go's url.Redacted does", () => {
    expect(redactUrl("https://alice:hunter2@sd.example/targets?x=1")).toBe("https://alice:xxxxx@sd.example/targets?x=1");
    expect(redactUrl("https://alice@sd.example/")).toBe("https://alice@sd.example/");
    expect(redactUrl("https://sd.example/a@b")).toBe("https://sd.example/a@b");
    expect(redactAddress("bob:pw@host:9100")).toBe("bob:xxxxx@host:9100");
  });

  it("never puts an http_sd password into __meta_url", () => {
    const groups = parseHttpSdBody(JSON.stringify([{ targets: ["a:1"], labels: {} }]), "http://u:hunter2@127.0.0.1:1/sd");
    expect(groups[0]!.labels["__meta_url"]).toBe("http://u:xxxxx@127.0.0.1:1/sd");
    expect(JSON.stringify(groups)).not.toContain("hunter2");
  });

  it("refuses a target address with credentials and does not show the password", () => {
    const cfg = parsePrometheusConfig("scrape_configs:\n  - job_name: j\n    static_configs: [{targets: ['bob:hunter2@127.0.0.1:9100']}]\n", "p.yml");
    const sc = cfg.scrapeConfigs[0]!;
    const [t] = buildTargets(sc, sc.staticConfigs[0]!);
    expect(t!.dropped).toBe(true);
    expect(JSON.stringify(t)).not.toContain("hunter2");
    expect((t as { error?: string }).error).toMatch(/credentials in a target address/);
  });
});
