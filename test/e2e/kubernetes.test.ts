/**
 * Kubernetes end to end: kubernetes_sd_configs for every role against a
 * Kubernetes API stand-in on loopback (tracking adds, changes and deletes
 * through watches), and the agent pattern — Debian's Prometheus in agent
 * mode scraping a local exporter and remote-writing everything to Pyrometer.
 * Every discovered address is on 127.0.0.0/8, and relabeling points every
 * scrape at a closed loopback port.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { startPyrometer, eventually, freePort } from "../support/pyrometer.ts";
import type { Running } from "../support/pyrometer.ts";
import { ensureCommand } from "../support/apt.ts";
import { KubeApiServer } from "../support/kube-apiserver.ts";
import * as fx from "../fixtures/kubernetes/objects.ts";

interface Target {
  discoveredLabels: Record<string, string>;
  labels?: Record<string, string>;
  scrapePool: string;
}

const ROLES = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"];

describe("kubernetes discovery and the agent pattern", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-k8s-"));
  const api = new KubeApiServer();
  let py: Running;
  let exporter: Server;
  let agent: ChildProcess | undefined;
  let agentOut = "";

  beforeAll(async () => {
    api.add("pods", fx.multiPortPod());
    api.add("pods", fx.endpointsPod());
    api.add("services", fx.service());
    api.add("endpoints", fx.endpoints());
    api.add("endpointslices", fx.endpointSlice());
    api.add("ingresses", fx.ingress());
    api.add("nodes", fx.node());
    api.add("namespaces", fx.namespace());
    const apiUrl = await api.listen();
    const jobs = ROLES.map((role) => `
  - job_name: k8s-${role}
    scrape_interval: 1h
    kubernetes_sd_configs:
      - role: ${role}
        api_server: ${apiUrl}
        authorization:
          credentials: test-token
        namespaces:
          names: [default]
        attach_metadata:
          namespace: true
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_container_init]
        regex: "true"
        action: drop
      # Every target keeps an identity of its own, then is pointed at a closed loopback port.
      - source_labels: [__address__, __meta_kubernetes_pod_container_name, __meta_kubernetes_ingress_path]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:1`).join("");
    const config = join(dir, "prometheus.yml");
    writeFileSync(config, `global:\n  scrape_interval: 15s\nscrape_configs:${jobs}\n`);
    py = await startPyrometer({ state: join(dir, "state"), config });
  }, 180_000);

  afterAll(async () => {
    agent?.kill("SIGKILL");
    exporter?.close();
    await py?.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function targets(): Promise<{ active: Target[]; dropped: Target[] }> {
    const res = await fetch(`${py.url}/api/v1/targets?state=any`);
    const { data } = (await res.json()) as { data: { activeTargets: Target[]; droppedTargets: Target[] } };
    return { active: data.activeTargets, dropped: data.droppedTargets };
  }

  const byJob = (ts: Target[], job: string) => ts.filter((t) => t.scrapePool === job);

  it("discovers every role with Prometheus's meta labels, dropped targets included", async () => {
    const t = await eventually(async () => {
      const t = await targets();
      return ROLES.every((r) => byJob(t.active, `k8s-${r}`).length > 0) ? t : undefined;
    }, 90_000, "targets of every role");
    // multiPortPod: two ports + a portless container active, its init container dropped by relabeling;
    // endpointsPod: two container ports.
    expect(byJob(t.active, "k8s-pod")).toHaveLength(5);
    const dropped = byJob(t.dropped, "k8s-pod");
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.discoveredLabels).toMatchObject({
      __address__: fx.POD_IP,
      __meta_kubernetes_pod_container_name: "initcontainer",
      __meta_kubernetes_pod_container_init: "true",
      __meta_kubernetes_pod_name: "testpod",
      __meta_kubernetes_namespace_label_team: "platform",
      job: "k8s-pod",
    });
    const p9000 = byJob(t.active, "k8s-pod").find((x) => x.discoveredLabels.__address__ === `${fx.POD_IP}:9000`)!;
    expect(p9000.discoveredLabels).toMatchObject({
      __meta_kubernetes_pod_container_port_name: "testport0",
      __meta_kubernetes_pod_container_id: "docker://a1b2c3d4e5f6",
      __meta_kubernetes_pod_controller_kind: "testcontrollerkind",
      __meta_kubernetes_pod_label_test_label: "testvalue",
      __meta_kubernetes_pod_labelpresent_test_label: "true",
      __meta_kubernetes_pod_ready: "true",
    });
    expect(byJob(t.active, "k8s-service").map((x) => x.discoveredLabels.__address__).sort()).toEqual(["testendpoints.default.svc:9000", "testendpoints.default.svc:9001"]);
    expect(byJob(t.active, "k8s-endpoints").map((x) => x.discoveredLabels.__address__).sort()).toEqual(["127.0.1.1:9000", "127.0.1.1:9001", "127.0.1.2:9001", "127.0.1.3:9001"]);
    expect(byJob(t.active, "k8s-endpointslice")).toHaveLength(4);
    expect(byJob(t.active, "k8s-ingress").map((x) => `${x.discoveredLabels.__meta_kubernetes_ingress_scheme}://${x.discoveredLabels.__address__}${x.discoveredLabels.__meta_kubernetes_ingress_path}`)).toEqual([
      "http://example.com/", "http://example.com/foo", "https://test.example.com/", "https://nohttp.example.com/",
    ]);
    const [n] = byJob(t.active, "k8s-node");
    expect(n!.discoveredLabels).toMatchObject({ __address__: "127.0.4.1:10250", instance: "test", __meta_kubernetes_node_address_InternalIP: "127.0.4.1" });
    // The bearer token went to the API server; every request was a list or a watch.
    expect(api.requests.every((r) => r.startsWith("/api"))).toBe(true);
    expect(new Set(api.authorizations)).toEqual(new Set(["Bearer test-token"]));
  }, 120_000);

  it("follows changes: a pod goes unready, a service is deleted, an ingress is added", async () => {
    const unready = fx.multiPortPod();
    unready.status.conditions = [{ type: "Ready", status: "False" }];
    api.modify("pods", unready);
    api.delete("services", fx.service());
    const ing = fx.ingress();
    ing.metadata.name = "second";
    ing.spec = { rules: [{ host: "second.example.com" }] };
    api.add("ingresses", ing);
    await eventually(async () => {
      const t = await targets();
      const pod = byJob(t.active, "k8s-pod").find((x) => x.discoveredLabels.__address__ === `${fx.POD_IP}:9000`);
      const ok = pod?.discoveredLabels.__meta_kubernetes_pod_ready === "false" &&
        byJob(t.active, "k8s-service").length === 0 &&
        byJob(t.active, "k8s-ingress").some((x) => x.discoveredLabels.__address__ === "second.example.com") &&
        // The endpoints' service labels go with the service.
        byJob(t.active, "k8s-endpoints").every((x) => x.discoveredLabels.__meta_kubernetes_service_name === undefined);
      return ok ? true : undefined;
    }, 90_000, "changes to show in /api/v1/targets");
  }, 120_000);

  it("keeps the last known targets while the API server is down", async () => {
    api.setDown(true);
    const before = (await targets()).active.length;
    const requests = api.requests.length;
    await eventually(async () => (api.requests.length > requests + 3 ? true : undefined), 60_000, "refreshes against the down API server");
    expect((await targets()).active.length).toBe(before);
    api.setDown(false);
  }, 90_000);

  it("agent mode: every series a Prometheus agent scrapes is queryable in Pyrometer", async () => {
    const prometheus = ensureCommand("prometheus", "prometheus");
    const metrics = [
      "# TYPE app_requests_total counter",
      'app_requests_total{code="200",path="/"} 10',
      'app_requests_total{code="500",path="/"} 2',
      "# TYPE app_temperature_celsius gauge",
      "app_temperature_celsius 21.5",
      "# TYPE app_latency_seconds histogram",
      'app_latency_seconds_bucket{le="0.1"} 3',
      'app_latency_seconds_bucket{le="+Inf"} 4',
      "app_latency_seconds_sum 0.7",
      "app_latency_seconds_count 4",
    ].join("\n") + "\n";
    exporter = createServer((_, res) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metrics));
    await new Promise<void>((ok) => exporter.listen(0, "127.0.0.1", ok));
    const exporterAddr = `127.0.0.1:${(exporter.address() as { port: number }).port}`;
    const port = await freePort();
    writeFileSync(join(dir, "agent.yml"), `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: in-cluster-app
    static_configs:
      - targets: [${exporterAddr}]
remote_write:
  - url: ${py.url}/api/v1/write
    queue_config:
      batch_send_deadline: 1s
`);
    agent = spawn(prometheus, [
      "--enable-feature=agent", `--config.file=${join(dir, "agent.yml")}`, `--storage.agent.path=${join(dir, "agent-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ["ignore", "pipe", "pipe"] });
    agent.stdout!.on("data", (d) => (agentOut += d));
    agent.stderr!.on("data", (d) => (agentOut += d));
    const expected = [
      'app_requests_total{code="200",path="/"}', 'app_requests_total{code="500",path="/"}', "app_temperature_celsius",
      'app_latency_seconds_bucket{le="0.1"}', 'app_latency_seconds_bucket{le="+Inf"}', "app_latency_seconds_sum", "app_latency_seconds_count",
      "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added",
    ];
    const series = await eventually(async () => {
      const res = await fetch(`${py.url}/api/v1/series?match[]=${encodeURIComponent('{job="in-cluster-app"}')}`);
      const data = ((await res.json()) as { data: Record<string, string>[] }).data;
      return data.length >= expected.length ? data : undefined;
    }, 90_000, `agent's series in Pyrometer (agent output:\n${agentOut.slice(-2000)})`);
    const got = series.map((s) => {
      const { __name__, job, instance, ...rest } = s;
      expect(job).toBe("in-cluster-app");
      expect(instance).toBe(exporterAddr);
      const inner = Object.entries(rest).sort().map(([k, v]) => `${k}="${v}"`).join(",");
      return inner === "" ? __name__! : `${__name__}{${inner}}`;
    });
    expect(got.sort()).toEqual([...expected].sort());
    const q = await (await fetch(`${py.url}/api/v1/query?query=${encodeURIComponent('app_temperature_celsius{job="in-cluster-app"}')}`)).json() as { data: { result: { value: [number, string] }[] } };
    expect(q.data.result[0]!.value[1]).toBe("21.5");
  }, 150_000);
});
