import { describe, it, expect } from "vitest";
import { labelsToRecord } from "../labels/labels.ts";
import { relabel } from "../relabel/relabel.ts";
import { labelsFromRecord } from "../labels/labels.ts";
import { ConfigError, parsePrometheusConfig, parseScrapeConfigFile, parseBytes, DEFAULT_DOH_URL } from "./index.ts";

const F = "prometheus.yml";
const parse = (text: string) => parsePrometheusConfig(text, F);

describe("defaults", () => {
  it("an empty file is the default config", () => {
    const c = parse("");
    expect(c.global).toMatchObject({ scrapeInterval: 60_000, scrapeTimeout: 10_000, evaluationInterval: 60_000, ruleQueryOffset: 0 });
    expect(c.scrapeConfigs).toEqual([]);
    expect(c.storage).toEqual({ outOfOrderTimeWindow: 0, retentionTime: undefined, retentionSize: undefined, maxExemplars: 100_000 });
  });

  it("applies scrape config defaults and inherits globals", () => {
    const c = parse(`
global:
  scrape_interval: 15s
  sample_limit: 500
  external_labels: {region: eu, replica: "1"}
scrape_configs:
  - job_name: node
    static_configs:
      - targets: [a:9100, b:9100]
        labels: {env: prod}
  - job_name: fast
    scrape_interval: 5s
    sample_limit: 10
`);
    const [node, fast] = c.scrapeConfigs;
    expect(node).toMatchObject({
      jobName: "node", scrapeInterval: 15_000, scrapeTimeout: 10_000, metricsPath: "/metrics", scheme: "http",
      honorLabels: false, honorTimestamps: true, trackTimestampsStaleness: false, enableCompression: true,
      sampleLimit: 500, bodySizeLimit: 0, line: 7,
      scrapeProtocols: ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"],
      httpClient: { followRedirects: true, enableHttp2: true, httpHeaders: {} },
    });
    expect(node!.staticConfigs).toEqual([{ source: "0", targets: [{ __address__: "a:9100" }, { __address__: "b:9100" }], labels: { env: "prod" } }]);
    // The timeout defaults to min(global timeout, interval).
    expect(fast).toMatchObject({ scrapeInterval: 5_000, scrapeTimeout: 5_000, sampleLimit: 10 });
    expect(labelsToRecord(c.global.externalLabels)).toEqual({ region: "eu", replica: "1" });
  });

  it("reads the global timeout default as min(10s, interval)", () => {
    expect(parse("global: {scrape_interval: 5s}").global.scrapeTimeout).toBe(5_000);
  });

  it("reads http client, params, relabeling, sd configs and limits", () => {
    const c = parse(`
scrape_configs:
  - job_name: x
    scheme: https
    metrics_path: /probe
    params: {module: [http_2xx, other]}
    honor_labels: yes
    body_size_limit: 10MB
    basic_auth: {username: u, password: p}
    http_headers:
      X-Token: {values: [a], secrets: [b]}
    follow_redirects: false
    tls_config: {min_version: TLS12, insecure_skip_verify: false}
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
    http_sd_configs:
      - url: https://sd.example.com/targets
    dns_sd_configs:
      - names: [_node._tcp.example.com]
      - names: [example.com]
        type: A
        port: 9100
        doh_url: https://dns.google/resolve
`);
    const x = c.scrapeConfigs[0]!;
    expect(x).toMatchObject({ scheme: "https", metricsPath: "/probe", params: { module: ["http_2xx", "other"] }, honorLabels: true, bodySizeLimit: 10 * 1024 * 1024 });
    expect(x.httpClient).toEqual({ basicAuth: { username: "u", password: "p" }, httpHeaders: { "X-Token": ["a", "b"] }, followRedirects: false, enableHttp2: true });
    expect(x.httpSdConfigs[0]).toMatchObject({ url: "https://sd.example.com/targets", refreshInterval: 60_000 });
    expect(x.dnsSdConfigs.map((d) => [d.type, d.port, d.refreshInterval, d.dohUrl])).toEqual([
      ["SRV", 0, 30_000, DEFAULT_DOH_URL], ["A", 9100, 30_000, "https://dns.google/resolve"],
    ]);
    expect(relabel(labelsFromRecord({ __name__: "go_gc" }), x.metricRelabelConfigs)).toBeNull();
    expect(x.relabelConfigs[0]!.targetLabel).toBe("__param_target");
  });

  it("turns bearer_token and authorization into an Authorization header spec", () => {
    const c = parse(`
scrape_configs:
  - {job_name: a, bearer_token: t1}
  - {job_name: b, authorization: {credentials: t2}}
  - {job_name: c, authorization: {type: Token, credentials: t3}}
`);
    expect(c.scrapeConfigs.map((s) => s.httpClient.authorization)).toEqual([
      { type: "Bearer", credentials: "t1" }, { type: "Bearer", credentials: "t2" }, { type: "Token", credentials: "t3" },
    ]);
  });

  it("reads alerting, remote write/read, storage, rule files and notes", () => {
    const c = parse(`
global:
  query_log_file: q.log
rule_files: [rules/*.yml, other.yml]
alerting:
  alert_relabel_configs: [{action: labeldrop, regex: replica}]
  alertmanagers:
    - static_configs: [{targets: [am:9093]}]
      path_prefix: /am
remote_write:
  - url: https://rw.example.com/api/v1/write
    headers: {X-Scope-OrgID: t}
    write_relabel_configs: [{source_labels: [__name__], regex: "up", action: keep}]
    queue_config: {max_shards: 10}
remote_read:
  - url: https://rr.example.com/api/v1/read
storage:
  tsdb:
    out_of_order_time_window: 30m
    retention: {time: 30d, size: 1GB}
`);
    expect(c.ruleFiles).toEqual(["rules/*.yml", "other.yml"]);
    expect(c.alerting.alertmanagers[0]).toMatchObject({ scheme: "http", pathPrefix: "/am", timeout: 10_000, apiVersion: "v2" });
    expect(c.alerting.alertRelabelConfigs[0]!.action).toBe("labeldrop");
    expect(c.remoteWrite[0]).toMatchObject({ remoteTimeout: 30_000, headers: { "X-Scope-OrgID": "t" }, protobufMessage: "prometheus.WriteRequest" });
    expect(c.remoteWrite[0]!.httpClient.enableHttp2).toBe(false);
    expect(c.remoteRead[0]).toMatchObject({ remoteTimeout: 60_000, filterExternalLabels: true, readRecent: false });
    expect(c.storage).toMatchObject({ outOfOrderTimeWindow: 1_800_000, retentionTime: 30 * 86_400_000, retentionSize: 1024 ** 3 });
    expect(c.notes).toEqual(["prometheus.yml:3: query_log_file is ignored: Workers have no file system"]);
  });

  it("supports anchors, aliases and merge keys", () => {
    const c = parse(`
x-common: &common
  scrape_interval: 30s
scrape_configs:
  - <<: *common
    job_name: a
`.replace("x-common: &common\n  scrape_interval: 30s\n", "global: &common\n  scrape_interval: 30s\n"));
    expect(c.scrapeConfigs[0]!.scrapeInterval).toBe(30_000);
  });

  it("parses scrape_config_files contents against the globals", () => {
    const main = parse("global: {scrape_interval: 20s}\nscrape_config_files: [jobs/*.yml]\nscrape_configs: [{job_name: a}]");
    const more = parseScrapeConfigFile("scrape_configs:\n  - job_name: b\n", "jobs/b.yml", main.global, main.scrapeConfigs);
    expect(more[0]).toMatchObject({ jobName: "b", scrapeInterval: 20_000, file: "jobs/b.yml", line: 2 });
    expect(() => parseScrapeConfigFile("scrape_configs:\n  - job_name: a\n", "jobs/a.yml", main.global, main.scrapeConfigs))
      .toThrow('jobs/a.yml:2: found multiple scrape configs with job name "a", first found in prometheus.yml');
  });
});

describe("parseBytes", () => {
  it("uses base-2 units as Prometheus", () => {
    expect(parseBytes("0")).toBe(0);
    expect(parseBytes("512B")).toBe(512);
    expect(parseBytes("1KB")).toBe(1024);
    expect(parseBytes("1KiB")).toBe(1024);
    expect(parseBytes("1.5MB")).toBe(1.5 * 1024 * 1024);
    expect(parseBytes("1GB512MB")).toBe(1024 ** 3 + 512 * 1024 ** 2);
    expect(() => parseBytes("10")).toThrow("units: unknown unit  in 10");
    expect(() => parseBytes("10XB")).toThrow("units: unknown unit XB in 10XB");
    expect(() => parseBytes("MB")).toThrow("units: invalid MB");
  });
});

// Each bad config: [yaml, line, message]. The message is Prometheus's wording
// where Prometheus has one; the location is ours.
const BAD: [string, number, string][] = [
  ["scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n", 3, "field scrape_intervall not found in type config.ScrapeConfig"],
  ["global:\n  scrape_interval: 1m\n  foo: 1\n", 3, "field foo not found in type config.GlobalConfig"],
  ["scrape_config:\n  - job_name: a\n", 1, "field scrape_config not found in type config.Config"],
  ["scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - sourcelabels: [a]\n", 4, "field sourcelabels not found in type relabel.Config"],
  ["global:\n  scrape_interval: 1x\n", 2, 'not a valid duration string: "1x"'],
  ["global:\n  scrape_interval: 10s\n  scrape_timeout: 20s\n", 3, "global scrape timeout greater than scrape interval"],
  ["scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n", 4, 'scrape timeout greater than scrape interval for scrape config with job name "a"'],
  ["scrape_configs:\n  - static_configs: []\n", 2, "job_name is empty"],
  ["scrape_configs:\n  - job_name: a\n  - job_name: b\n  - job_name: a\n", 4, 'found multiple scrape configs with job name "a"'],
  ["scrape_configs:\n  -\n", 2, "empty or null scrape config section"],
  ["scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n", 3, "cannot unmarshal !!str `maybe` into bool"],
  ["scrape_configs:\n  - job_name: a\n    sample_limit: -1\n", 3, "cannot unmarshal !!int `-1` into uint"],
  ["scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [\"http://x:9100/metrics\"]\n", 4, '"http://x:9100/metrics" is not a valid hostname'],
  ["scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [x]\n        labels: {\"bad-name\": v}\n", 5, '"bad-name" is not a valid label name'],
  ["scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n", 4, "relabel configuration for hashmod requires non-zero modulus"],
  ["scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: replace\n", 4, "relabel configuration for replace action requires 'target_label' value"],
  ["scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: labeldrop\n        source_labels: [a]\n        regex: x\n", 4, "labeldrop action requires only 'regex', and no other fields"],
  ["scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: explode\n", 4, 'unknown relabel action "explode"'],
  ["scrape_configs:\n  - job_name: a\n    relabel_configs:\n      -\n", 4, "empty or null target relabeling rule in scrape config"],
  ["scrape_configs:\n  - job_name: a\n    authorization: {type: Basic, credentials: x}\n", 3, 'authorization type cannot be set to "basic", use "basic_auth" instead'],
  ["scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: x}\n", 4, "at most one of basic_auth, oauth2 & authorization must be configured"],
  ["scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: y\n", 3, "at most one of bearer_token & bearer_token_file must be configured"],
  ["scrape_configs:\n  - job_name: a\n    basic_auth:\n      username: u\n      password_file: /etc/p\n", 5, "basic_auth.password_file is not supported on Cloudflare Workers: Workers have no file system; write the value inline"],
  ["scrape_configs:\n  - job_name: a\n    tls_config:\n      cert_file: c.pem\n      key_file: k.pem\n", 4, "tls_config.cert_file is not supported on Cloudflare Workers: client TLS certificates cannot be presented by fetch"],
  ["scrape_configs:\n  - job_name: a\n    proxy_url: http://proxy:3128\n", 3, "proxy_url is not supported on Cloudflare Workers: outbound requests cannot go through a proxy"],
  ["scrape_configs:\n  - job_name: a\n    oauth2: {client_id: x}\n", 3, "oauth2 is not supported on Cloudflare Workers: use authorization with a token, or http_headers"],
  ["scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [t.json]\n", 3, "file_sd_configs is not supported on Cloudflare Workers: Workers have no file system; serve the target list over HTTP and use http_sd_configs"],
  ["scrape_configs:\n  - job_name: a\n    consul_sd_configs: [{server: x}]\n", 3, "consul_sd_configs is not supported on Cloudflare Workers: use static_configs, http_sd_configs, dns_sd_configs or kubernetes_sd_configs"],
  ["scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod}]\n", 3, "api_server is required on Cloudflare Workers: there is no in-cluster service account; point it at the API server's public endpoint or a Cloudflare Tunnel in front of it"],
  ["scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x.example.com]\n        type: A\n", 4, "a port is required in DNS-SD configs for all record types except SRV"],
  ["scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: TXT\n", 5, "invalid DNS-SD records type TXT"],
  ["scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - type: SRV\n", 4, "DNS-SD config must contain at least one SRV record name"],
  ["scrape_configs:\n  - job_name: a\n    http_sd_configs:\n      - refresh_interval: 1m\n", 4, "URL is missing"],
  ["scrape_configs:\n  - job_name: a\n    http_sd_configs:\n      - url: ftp://x/y\n", 4, "URL scheme must be 'http' or 'https'"],
  ["scrape_configs:\n  - job_name: a\n    scrape_protocols: [PrometheusText0.0.4, Bogus]\n", 3, 'scrape_protocols: unknown scrape protocol Bogus, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0] for scrape config with job name "a"'],
  ["scrape_configs:\n  - job_name: a\n    body_size_limit: 10XB\n", 3, "units: unknown unit XB in 10XB"],
  ["scrape_configs:\n  - job_name: a\n    http_headers:\n      Authorization: {values: [x]}\n", 4, 'setting header "Authorization" is not allowed'],
  ["rule_files: ['a/*/b.yml']\n", 1, 'invalid rule file path "a/*/b.yml"'],
  ["remote_write:\n  - name: x\n", 2, "url for remote_write is empty"],
  ["remote_write:\n  - url: http://a/w\n    headers: {Authorization: x}\n", 3, "authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter"],
  ["remote_write:\n  - url: http://a/w\n    name: r\n  - url: http://b/w\n    name: r\n", 4, 'found multiple remote write configs with job name "r"'],
  ["alerting:\n  alertmanagers:\n    - api_version: v1\n", 3, "expected Alertmanager api version to be one of [v2] but got v1"],
  ["global:\n  external_labels:\n    0bad: x\n", 2, '"0bad" is not a valid label name'],
  ["scrape_configs:\n  - job_name: a\n    job_name: b\n", 3, 'mapping key "job_name" already defined at line 2'],
  ["scrape_configs:\n  - job_name: a\n   bad_indent: 1\n", 3, "yaml:"],
  ["scrape_configs: {job_name: a}\n", 1, "cannot unmarshal !!map into []*config.ScrapeConfig"],
  ["otlp:\n  translation_strategi: x\n", 2, "field translation_strategi not found in type config.OTLPConfig"],
];

describe("bad configs name file:line and Prometheus's message", () => {
  for (const [yaml, line, msg] of BAD) {
    it(msg, () => {
      let err: unknown;
      try {
        parse(yaml);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const ce = err as ConfigError;
      expect(ce.file).toBe(F);
      expect(ce.detail).toContain(msg);
      expect(ce.line).toBe(line);
      expect(ce.message).toBe(`${F}:${line}: ${ce.detail}`);
    });
  }
});
