import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseBlackboxConfig } from "./config.ts";
import { probeTimeoutSeconds } from "./run.ts";
import type { HttpProbeConfig } from "./http.ts";
import type { DnsProbeConfig } from "./dns.ts";
import type { TcpProbeConfig } from "./tcp.ts";
import { parseRegions } from "./regions.ts";

function err(text: string): string {
  try {
    parseBlackboxConfig(text, "bb.yml");
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("blackbox.yml", () => {
  it("parses the bundled config/blackbox.yml", () => {
    const cfg = parseBlackboxConfig(readFileSync(resolve(import.meta.dirname, "../../config/blackbox.yml"), "utf8"), "config/blackbox.yml");
    expect([...cfg.modules.keys()]).toEqual(expect.arrayContaining(["http_2xx", "http_post_2xx", "tcp_connect", "ssh_banner", "dns_a"]));
    const post = cfg.modules.get("http_post_2xx")!.sections.http as HttpProbeConfig;
    expect(post.method).toBe("POST");
    expect(post.body).toBe("{}");
    const smtp = cfg.modules.get("smtp_starttls")!.sections.tcp as TcpProbeConfig;
    expect(smtp.queryResponse.map((q) => q.starttls)).toEqual([false, false, false, false, false, true, false, false]);
  });

  it("fills blackbox_exporter's defaults", () => {
    const m = parseBlackboxConfig("modules:\n  m:\n    prober: http\n", "bb.yml").modules.get("m")!;
    expect(m.timeoutMs).toBe(0);
    const http = m.sections.http as HttpProbeConfig;
    expect(http.method).toBe("GET");
    expect(http.validStatusCodes).toEqual([]);
    expect(http.client.followRedirects).toBe(true);
    const dns = m.sections.dns as DnsProbeConfig;
    expect(dns.queryType).toBe(255);
    expect(dns.queryClass).toBe(1);
    expect(dns.validRcodes).toEqual([0]);
    expect(dns.recursionDesired).toBe(true);
  });

  it("rejects icmp and other probers a Worker cannot run, saying why, at file:line", () => {
    expect(err("modules:\n  ping:\n    prober: icmp\n")).toMatch(/^bb\.yml:3: prober "icmp" is not supported on Cloudflare Workers: Workers cannot send ICMP/);
    expect(err("modules:\n  m:\n    prober: http\n    icmp:\n      ttl: 5\n")).toMatch(/^bb\.yml:4: icmp is not supported on Cloudflare Workers/);
    expect(err("modules:\n  g:\n    prober: grpc\n")).toMatch(/^bb\.yml:3: .*HTTP\/2 trailers/);
    expect(err("modules:\n  m:\n    prober: smtp\n")).toMatch(/^bb\.yml:3: unknown prober "smtp"/);
  });

  it("rejects unsupported fields with the reason", () => {
    expect(err("modules:\n  m:\n    prober: http\n    http:\n      valid_http_versions: [HTTP/2.0]\n")).toMatch(/^bb\.yml:5: valid_http_versions is not supported .*HTTP version/);
    expect(err("modules:\n  m:\n    prober: http\n    http:\n      tls_config:\n        insecure_skip_verify: true\n")).toMatch(/^bb\.yml:6: .*insecure_skip_verify is not supported/);
    expect(err("modules:\n  m:\n    prober: dns\n    dns:\n      query_name: a.b\n      transport_protocol: udp\n")).toMatch(/^bb\.yml:6: transport_protocol is not supported .*DNS-over-HTTPS/);
    expect(err("modules:\n  m:\n    prober: tcp\n    tcp:\n      source_ip_address: 1.2.3.4\n")).toMatch(/^bb\.yml:5: source_ip_address/);
    expect(err("modules:\n  m:\n    prober: http\n    http:\n      body_file: /x\n")).toMatch(/^bb\.yml:5: body_file is not supported .*file system/);
  });

  it("rejects what blackbox_exporter rejects, at file:line", () => {
    expect(err("modules:\n  m:\n    prober: http\n    htp: {}\n")).toBe("bb.yml:4: field htp not found in type config.Module");
    expect(err("modules:\n  m:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: ['(']\n")).toMatch(/^bb\.yml:5: .*Could not compile regular expression/);
    expect(err("modules:\n  m:\n    prober: dns\n    dns:\n      query_type: A\n")).toBe("bb.yml:5: query name must be set for DNS module");
    expect(err("modules:\n  m:\n    prober: dns\n    dns:\n      query_name: x\n      query_type: BOGUS\n")).toBe("bb.yml:6: query type 'BOGUS' is not valid");
    expect(err("modules:\n  m:\n    prober: http\n    http:\n      fail_if_header_matches:\n        - regexp: x\n")).toMatch(/header name must be set/);
    expect(err("modules:\n  m:\n    prober: http\n    timeout: soon\n")).toMatch(/^bb\.yml:4: /);
    expect(err("modules:\n  m:\n    prober: http\n    http:\n      compression: zstd\n")).toMatch(/^bb\.yml:5: invalid compression/);
    expect(err("modules:\n  m:\n    prober: tcp\n    tcp:\n      query_response:\n        - expect: '['\n")).toMatch(/^bb\.yml:6: error parsing regexp/);
  });

  it("sizes the probe like blackbox_exporter's getTimeout", () => {
    expect(probeTimeoutSeconds(5000, 10)).toBe(5);
    expect(probeTimeoutSeconds(15000, 10)).toBe(9.5);
    expect(probeTimeoutSeconds(0, 10)).toBe(9.5);
    expect(probeTimeoutSeconds(0, undefined)).toBe(119.5);
  });

  it("regions: location hints, repeated or comma-separated", () => {
    expect(parseRegions(["weur", "apac,enam", "weur"])).toEqual(["weur", "apac", "enam"]);
    expect(parseRegions([])).toEqual([]);
    expect(() => parseRegions(["mars"])).toThrow(/unknown region "mars"/);
  });
});
