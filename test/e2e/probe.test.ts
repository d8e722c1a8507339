/**
 * /probe against Debian's blackbox_exporter: the same blackbox.yml and the
 * same local targets into both, the same probe_success out, and the same
 * metric and label names except where a Worker cannot see what
 * blackbox_exporter measures (docs/compatibility.md, "Probes"). Then the
 * blackbox README's multi-target config pointed at Pyrometer, with regions,
 * and a heartbeat that stops.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { execFileSync } from "node:child_process";
import { createServer as createTcpServer } from "node:net";
import type { Server as TcpServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { instantQuery } from "../support/query.ts";
import { decodeMessage, encodeMessage } from "../../shared/probe/dns-wire.ts";
import type { ResourceRecord } from "../../shared/probe/dns-wire.ts";

/** name → label-name lists (sorted, joined) of the samples in an exposition. */
function shape(text: string): { names: Map<string, Set<string>>; value: (name: string) => number | undefined } {
  const names = new Map<string, Set<string>>();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`unparsable line: ${line}`);
    const labels = [...(m[2] ?? "").matchAll(/(\w+)="(?:[^"\\]|\\.)*"/g)].map((l) => l[1]!).sort().join(",");
    if (!names.has(m[1]!)) names.set(m[1]!, new Set());
    names.get(m[1]!)!.add(labels);
    if (labels === "") values.set(m[1]!, Number(m[3]));
  }
  return { names, value: (n) => values.get(n) };
}

/**
 * What blackbox_exporter reports that a Worker cannot: the resolver's
 * lookup time and the HTTP version fetch() hides (docs/compatibility.md).
 */
const CANNOT_SEE = new Set(["probe_dns_lookup_time_seconds", "probe_http_version"]);

const BLACKBOX_YML = `modules:
  http_2xx:
    prober: http
    timeout: 2s
  http_slow:
    prober: http
    timeout: 1s
  http_no_redirects:
    prober: http
    timeout: 2s
    http:
      follow_redirects: false
  http_body_matches:
    prober: http
    timeout: 2s
    http:
      fail_if_body_not_matches_regexp: ["status: (healthy|ok)"]
  http_body_forbidden:
    prober: http
    timeout: 2s
    http:
      fail_if_body_matches_regexp: ["healthy"]
  http_header:
    prober: http
    timeout: 2s
    http:
      fail_if_header_not_matches:
        - header: X-Served-By
          regexp: "^probe-target$"
  http_post:
    prober: http
    timeout: 2s
    http:
      method: POST
      body: "ping"
      valid_status_codes: [201]
  tcp_connect:
    prober: tcp
    timeout: 2s
  ssh_banner:
    prober: tcp
    timeout: 2s
    tcp:
      query_response:
        - expect: "^SSH-2.0-"
        - send: "SSH-2.0-blackbox-ssh-check"
        - expect: "^bye (.*)$"
  smtp_banner:
    prober: tcp
    timeout: 2s
    tcp:
      query_response:
        - expect: "^220 "
  dns_a:
    prober: dns
    timeout: 2s
    dns:
      TRANSPORT
      query_name: example.test
      query_type: A
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['^example\\.test\\.\\t300\\tIN\\tA\\t10\\.0\\.0\\.[12]$']
  dns_a_forbidden:
    prober: dns
    timeout: 2s
    dns:
      TRANSPORT
      query_name: example.test
      query_type: A
      validate_answer_rrs:
        fail_if_matches_regexp: ['10\\.0\\.0\\.2$']
  dns_mx:
    prober: dns
    timeout: 2s
    dns:
      TRANSPORT
      query_name: example.test
      query_type: MX
      validate_answer_rrs:
        fail_if_none_matches_regexp: ['\\tMX\\t10 mail\\.example\\.test\\.$']
  dns_txt:
    prober: dns
    timeout: 2s
    dns:
      TRANSPORT
      query_name: example.test
      query_type: TXT
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['\\tTXT\\t"hello world" "v=2"$']
  dns_soa:
    prober: dns
    timeout: 2s
    dns:
      TRANSPORT
      query_name: example.test
      query_type: SOA
  dns_nxdomain:
    prober: dns
    timeout: 2s
    dns:
      TRANSPORT
      query_name: missing.example.test
      query_type: A
      validate_authority_rrs:
        fail_if_not_matches_regexp: ['\\tSOA\\tns\\.example\\.test\\. ']
  dns_nxdomain_ok:
    prober: dns
    timeout: 2s
    dns:
      TRANSPORT
      query_name: missing.example.test
      query_type: A
      valid_rcodes: [NXDOMAIN]
      validate_authority_rrs:
        fail_if_not_matches_regexp: ['\\tSOA\\tns\\.example\\.test\\. ']
`;

/** The same modules for each side: blackbox_exporter asks over TCP, Pyrometer over DoH (docs/compatibility.md). */
const theirYml = BLACKBOX_YML.replaceAll("TRANSPORT", "transport_protocol: tcp");
const ourYml = BLACKBOX_YML.replaceAll("      TRANSPORT\n", "");

describe("/probe compared with blackbox_exporter", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-probe-"));
  let bb: ChildProcess;
  let bbPort: number;
  let web: Server;
  let webPort: number;
  let tcp: TcpServer;
  let tcpPort: number;
  let tlsWeb: Server;
  let tlsPort: number;
  let dns: TcpServer;
  let dnsPort: number;
  let doh: Server;
  let dohPort: number;
  let closedPort: number;
  let p: Running;

  const query = (q: string) => instantQuery(p.url, q);

  beforeAll(async () => {
    const blackbox = ensureCommand("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
    [bbPort, webPort, tcpPort, closedPort, tlsPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    // HTTPS with a self-signed certificate: both probers must refuse it.
    const openssl = ensureCommand("openssl", "openssl");
    execFileSync(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "30", "-subj", "/CN=localhost"], { stdio: "ignore" });
    tlsWeb = createHttpsServer({ key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) }, (_req, res) => res.end("ok")) as unknown as Server;
    await new Promise<void>((r) => tlsWeb.listen(tlsPort, "127.0.0.1", r));
    web = createServer((req, res) => {
      const url = req.url ?? "/";
      const hop = /^\/redirect\/(\d+)$/.exec(url);
      if (url === "/ok") {
        res.writeHead(200, { "content-type": "text/plain", "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT", "x-served-by": "probe-target" });
        res.end("status: healthy\n");
      } else if (url === "/error") {
        res.writeHead(500);
        res.end("boom");
      } else if (hop) {
        const n = Number(hop[1]);
        res.writeHead(302, { location: n > 1 ? `/redirect/${n - 1}` : "/ok" });
        res.end();
      } else if (url === "/slow") {
        const t = setTimeout(() => (res.writeHead(200), res.end("late")), 4000);
        res.on("close", () => clearTimeout(t));
      } else if (url === "/broken") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("status: degraded\n");
      } else if (url === "/post" && req.method === "POST") {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => (res.writeHead(body === "ping" ? 201 : 400), res.end()));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => web.listen(webPort, "127.0.0.1", r));
    // An SSH-like banner; answers the client's line with "bye <its line>".
    tcp = createTcpServer((sock) => {
      sock.write("SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
      sock.on("data", (d) => {
        if (String(d).includes("\n")) sock.end(`bye ${String(d).trim()}\r\n`);
      });
      sock.on("error", () => undefined);
    });
    await new Promise<void>((r) => tcp.listen(tcpPort, "127.0.0.1", r));

    const bbConfig = join(dir, "blackbox.yml");
    writeFileSync(bbConfig, theirYml);
    const ourConfig = join(dir, "pyrometer-blackbox.yml");
    writeFileSync(ourConfig, ourYml);
    // One zone, served over DNS/TCP (for blackbox_exporter) and DNS-over-HTTPS (for Pyrometer).
    [dnsPort, dohPort] = [await freePort(), await freePort()];
    dns = createTcpServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on("data", (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          const answer = zoneAnswer(new Uint8Array(msg));
          const len = Buffer.alloc(2);
          len.writeUInt16BE(answer.length);
          sock.write(Buffer.concat([len, answer]));
        }
      });
      sock.on("error", () => undefined);
    });
    await new Promise<void>((r) => dns.listen(dnsPort, "127.0.0.1", r));
    doh = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (d: Buffer) => parts.push(d));
      req.on("end", () => {
        if (req.method !== "POST" || req.headers["content-type"] !== "application/dns-message") return void (res.writeHead(415), res.end());
        res.writeHead(200, { "content-type": "application/dns-message" });
        res.end(zoneAnswer(new Uint8Array(Buffer.concat(parts))));
      });
    });
    await new Promise<void>((r) => doh.listen(dohPort, "127.0.0.1", r));
    bb = spawn(blackbox, [`--config.file=${bbConfig}`, `--web.listen-address=127.0.0.1:${bbPort}`], { stdio: "ignore" });
    await eventually(async () => ((await fetch(`http://127.0.0.1:${bbPort}/metrics`)).ok ? true : undefined), 20_000, "blackbox_exporter");

    const web1 = `http://127.0.0.1:${webPort}`;
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      `global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
${multiTarget("blackbox", { module: ["http_2xx"] }, [`${web1}/ok`, `${web1}/error`, `${web1}/redirect/3`])}
${multiTarget("regional", { module: ["http_2xx"], region: ["weur", "apac", "enam"] }, [`${web1}/ok`, `${web1}/error`])}
  - job_name: pushgateway
    honor_labels: true
    metrics_path: /pushgateway/metrics
    static_configs:
      - targets: ["localhost:8787"]
`,
    );
    p = await startPyrometer({ state: join(dir, "state"), config, env: { PYROMETER_BLACKBOX_CONFIG: ourConfig } });
  });

  afterAll(async () => {
    await p?.stop();
    bb?.kill("SIGTERM");
    web?.close();
    tcp?.close();
    tlsWeb?.close();
    dns?.close();
    doh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // [what, module, target, expected probe_success, Pyrometer's target when it differs]
  const cases: [string, string, () => string, number, (() => string)?][] = [
    ["200", "http_2xx", () => `http://127.0.0.1:${webPort}/ok`, 1],
    ["500", "http_2xx", () => `http://127.0.0.1:${webPort}/error`, 0],
    ["redirect chain", "http_2xx", () => `http://127.0.0.1:${webPort}/redirect/3`, 1],
    ["redirect not followed", "http_no_redirects", () => `http://127.0.0.1:${webPort}/redirect/1`, 0],
    ["slow reply past the timeout", "http_slow", () => `http://127.0.0.1:${webPort}/slow`, 0],
    ["body matches", "http_body_matches", () => `http://127.0.0.1:${webPort}/ok`, 1],
    ["body does not match", "http_body_matches", () => `http://127.0.0.1:${webPort}/broken`, 0],
    ["forbidden body", "http_body_forbidden", () => `http://127.0.0.1:${webPort}/ok`, 0],
    ["header matches", "http_header", () => `http://127.0.0.1:${webPort}/ok`, 1],
    ["header missing", "http_header", () => `http://127.0.0.1:${webPort}/broken`, 0],
    ["POST with body", "http_post", () => `127.0.0.1:${webPort}/post`, 1],
    ["closed HTTP port", "http_2xx", () => `http://127.0.0.1:${closedPort}/`, 0],
    ["HTTPS with an untrusted certificate", "http_2xx", () => `https://127.0.0.1:${tlsPort}/`, 0],
    ["TCP port open", "tcp_connect", () => `127.0.0.1:${tcpPort}`, 1],
    ["TCP banner dialogue", "ssh_banner", () => `127.0.0.1:${tcpPort}`, 1],
    ["TCP banner mismatch", "smtp_banner", () => `127.0.0.1:${tcpPort}`, 0],
    ["closed TCP port", "tcp_connect", () => `127.0.0.1:${closedPort}`, 0],
    ["DNS A records validated", "dns_a", () => `127.0.0.1:${dnsPort}`, 1, () => `http://127.0.0.1:${dohPort}/dns-query`],
    ["DNS answer matching a forbidden regex", "dns_a_forbidden", () => `127.0.0.1:${dnsPort}`, 0, () => `http://127.0.0.1:${dohPort}/dns-query`],
    ["DNS MX", "dns_mx", () => `127.0.0.1:${dnsPort}`, 1, () => `http://127.0.0.1:${dohPort}/dns-query`],
    ["DNS TXT", "dns_txt", () => `127.0.0.1:${dnsPort}`, 1, () => `http://127.0.0.1:${dohPort}/dns-query`],
    ["DNS SOA serial", "dns_soa", () => `127.0.0.1:${dnsPort}`, 1, () => `http://127.0.0.1:${dohPort}/dns-query`],
    ["NXDOMAIN", "dns_nxdomain", () => `127.0.0.1:${dnsPort}`, 0, () => `http://127.0.0.1:${dohPort}/dns-query`],
    ["NXDOMAIN allowed, authority validated", "dns_nxdomain_ok", () => `127.0.0.1:${dnsPort}`, 1, () => `http://127.0.0.1:${dohPort}/dns-query`],
  ];

  for (const [what, module, target, expected, ourTarget] of cases) {
    it(`${what}: same probe_success, metric and label names`, async () => {
      const q = (t: string) => `target=${encodeURIComponent(t)}&module=${module}`;
      const [theirs, ours] = await Promise.all([
        fetch(`http://127.0.0.1:${bbPort}/probe?${q(target())}`).then((r) => r.text()),
        fetch(`${p.url}/probe?${q((ourTarget ?? target)())}`).then((r) => r.text()),
      ]);
      const a = shape(theirs);
      const b = shape(ours);
      expect(a.value("probe_success")).toBe(expected);
      expect(b.value("probe_success")).toBe(expected);
      expect(b.value("probe_failed_due_to_regex")).toBe(a.value("probe_failed_due_to_regex"));
      if (a.value("probe_http_status_code") !== undefined) {
        expect(b.value("probe_http_status_code")).toBe(a.value("probe_http_status_code"));
        expect(b.value("probe_http_redirects")).toBe(a.value("probe_http_redirects"));
        expect(b.value("probe_http_uncompressed_body_length")).toBe(a.value("probe_http_uncompressed_body_length"));
        expect(b.value("probe_http_last_modified_timestamp_seconds")).toBe(a.value("probe_http_last_modified_timestamp_seconds"));
      }
      expect(b.value("probe_ip_addr_hash")).toBe(a.value("probe_ip_addr_hash"));
      for (const n of ["probe_dns_answer_rrs", "probe_dns_authority_rrs", "probe_dns_additional_rrs", "probe_dns_serial", "probe_dns_query_succeeded"]) {
        expect(b.value(n), n).toBe(a.value(n));
      }
      const missing = [...a.names.keys()].filter((n) => !b.names.has(n));
      expect(missing.filter((n) => !CANNOT_SEE.has(n))).toEqual([]);
      expect([...b.names.keys()].filter((n) => !a.names.has(n))).toEqual([]);
      for (const [name, labelSets] of b.names) expect([...labelSets], name).toEqual([...a.names.get(name)!]);
    });
  }

  it("answers a missing target and an unknown module with 400", async () => {
    expect((await fetch(`${p.url}/probe?module=http_2xx`)).status).toBe(400);
    const res = await fetch(`${p.url}/probe?target=x&module=nope`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Unknown module \\"nope\\"');
  });

  it("debug=true shows the log, the metrics and the module", async () => {
    const text = await (await fetch(`${p.url}/probe?target=127.0.0.1:${closedPort}&module=tcp_connect&debug=true`)).text();
    expect(text).toMatch(/^Logs for the probe:\n.*msg="Beginning probe"/);
    expect(text).toContain("Metrics that would have been returned:\n");
    expect(text).toContain("probe_success 0");
    expect(text).toContain("Module configuration:\nprober: tcp\ntimeout: 2s\n");
  });

  it("the README's multi-target config, pointed at Pyrometer, scrapes every target", async () => {
    const up = await eventually(async () => {
      const r = await query('probe_success{job="blackbox"}');
      return r.length === 3 ? r : undefined;
    }, 60_000, "three probe_success series");
    const byInstance = Object.fromEntries(up.map((v) => [v.metric.instance, v.value[1]]));
    const web1 = `http://127.0.0.1:${webPort}`;
    expect(byInstance).toEqual({ [`${web1}/ok`]: "1", [`${web1}/error`]: "0", [`${web1}/redirect/3`]: "1" });
    expect((await query('probe_http_redirects{job="blackbox"} == 3'))[0]!.metric.instance).toBe(`${web1}/redirect/3`);
    expect((await query('up{job="blackbox"} == 1')).length).toBe(3);
  });

  it("with regions, probe_success{region} appears for every configured region", async () => {
    const r = await eventually(async () => {
      const v = await query('probe_success{job="regional"}');
      return v.length === 6 ? v : undefined;
    }, 60_000, "probe_success for 2 targets × 3 regions");
    const seen = r.map((v) => `${v.metric.instance.replace(/.*\//, "")} ${v.metric.region} ${v.value[1]}`).sort();
    expect(seen).toEqual(["error apac 0", "error enam 0", "error weur 0", "ok apac 1", "ok enam 1", "ok weur 1"]);
    // The ready-made EndpointDown expression (config/rules/uptime.rules.yml) fires for the failing one only.
    const down = await query(ruleExpr("EndpointDown"));
    expect(down.map((v) => `${v.metric.job} ${v.metric.instance.replace(/.*\//, "")}`).filter((s) => s.startsWith("regional"))).toEqual(["regional error"]);
  });

  it("a heartbeat that stops pinging makes HeartbeatMissing's expression true", async () => {
    const expr = ruleExpr("HeartbeatMissing");
    expect((await fetch(`${p.url}/heartbeat/nightly-backup?period=3s`, { method: "POST" })).status).toBe(200);
    expect((await fetch(`${p.url}/heartbeat/hourly-report?period=1h`)).status).toBe(200);
    expect((await fetch(`${p.url}/heartbeat/bad%20name`)).status).toBe(400);
    expect((await fetch(`${p.url}/heartbeat/x?period=soon`)).status).toBe(400);
    // Scraped, and not yet overdue.
    await eventually(async () => ((await query('push_time_seconds{job="heartbeat",name="nightly-backup"}')).length === 1 ? true : undefined), 30_000, "heartbeat scraped");
    const firing = await eventually(async () => {
      const v = await query(expr);
      return v.length > 0 ? v : undefined;
    }, 30_000, "HeartbeatMissing true");
    expect(firing.map((v) => v.metric.name)).toEqual(["nightly-backup"]);
    // A ping clears it.
    await fetch(`${p.url}/heartbeat/nightly-backup?period=1h`);
    await eventually(async () => ((await query(expr)).length === 0 ? true : undefined), 30_000, "HeartbeatMissing cleared");
  });
});

const rr = (name: string, type: number, rdata: number[]): ResourceRecord => ({ name, type, class: 1, ttl: 300, rdata: new Uint8Array(rdata), text: "" });
const wireName = (n: string) => [...n.split(".").filter(Boolean).flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
const SOA = rr("example.test.", 6, [...wireName("ns.example.test"), ...wireName("hostmaster.example.test"), ...[2026120401, 7200, 3600, 1209600, 300].flatMap((v) => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255])]);
const ZONE: Record<string, ResourceRecord[]> = {
  "example.test.:1": [rr("example.test.", 1, [10, 0, 0, 1]), rr("example.test.", 1, [10, 0, 0, 2])],
  "example.test.:15": [rr("example.test.", 15, [0, 10, ...wireName("mail.example.test")])],
  "example.test.:16": [rr("example.test.", 16, [11, ...Buffer.from("hello world"), 3, ...Buffer.from("v=2")])],
  "example.test.:6": [SOA],
};

/** The test zone's answer to a query (NXDOMAIN with the SOA for unknown names). */
function zoneAnswer(query: Uint8Array): Uint8Array {
  const q = decodeMessage(query);
  const question = q.questions[0]!;
  const name = question.name.toLowerCase();
  const answer = ZONE[`${name}:${question.type}`] ?? [];
  const known = name === "example.test.";
  return encodeMessage({
    id: q.id, response: true, authoritative: true, recursionDesired: q.recursionDesired, rcode: known ? 0 : 3,
    questions: q.questions, answer, authority: answer.length === 0 ? [SOA] : [],
  });
}

function ruleExpr(alert: string): string {
  const file = parse(readFileSync(resolve(import.meta.dirname, "../../config/rules/uptime.rules.yml"), "utf8")) as {
    groups: { rules: { alert?: string; expr: string }[] }[];
  };
  return file.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!.expr;
}

/** A job in blackbox_exporter's README multi-target form, with only the replacement address changed to Pyrometer's. */
function multiTarget(job: string, params: Record<string, string[]>, targets: string[]): string {
  return `  - job_name: ${job}
    metrics_path: /probe
    params: ${JSON.stringify(params)}
    static_configs:
      - targets: ${JSON.stringify(targets)}
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: localhost:8787`;
}
