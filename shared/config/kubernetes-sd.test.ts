/**
 * kubernetes_sd_configs: the same accept/reject decisions and messages as
 * Prometheus's SDConfig.UnmarshalYAML (discovery/kubernetes/kubernetes.go).
 * Debian's promtool 2.42 is built without Kubernetes discovery ("field
 * kubernetes_sd_configs not found in type config.ScrapeConfig"), so the
 * reference is Prometheus's code, stated case by case; the last cases are
 * what Workers cannot do (docs/compatibility.md).
 */
import { describe, expect, it } from "vitest";
import { parsePrometheusConfig } from "./index.ts";

const job = (sd: string) => `scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs:\n${sd.replace(/^/gm, "      ")}\n`;
const parse = (sd: string) => parsePrometheusConfig(job(sd), "prometheus.yml");
const API = "api_server: https://k8s.example.com:6443";

const accepted: [string, string][] = [
  ["pod role with api_server", `- role: pod\n  ${API}`],
  ["every role", ["pod", "service", "endpoints", "endpointslice", "node", "ingress"].map((r) => `- role: ${r}\n  ${API}`).join("\n")],
  ["namespaces.names", `- role: service\n  ${API}\n  namespaces:\n    names: [default, kube-system]`],
  ["pod selector on pod role", `- role: pod\n  ${API}\n  selectors:\n    - role: pod\n      label: "app=web,tier in (a, b),!legacy"\n      field: "spec.nodeName=node1"`],
  ["endpoints with pod, service and endpoints selectors", `- role: endpoints\n  ${API}\n  selectors:\n    - role: pod\n      label: app=x\n    - role: service\n      label: app=x\n    - role: endpoints\n      field: metadata.name!=kubernetes`],
  ["endpointslice with endpointslice selector", `- role: endpointslice\n  ${API}\n  selectors:\n    - role: endpointslice\n      label: "kubernetes.io/service-name=web"`],
  ["attach_metadata node and namespace", `- role: pod\n  ${API}\n  attach_metadata:\n    node: true\n    namespace: true`],
  ["bearer authorization and Access headers", `- role: ingress\n  ${API}\n  authorization:\n    credentials: secret-token\n  http_headers:\n    CF-Access-Client-Id:\n      values: [abc.access]\n    CF-Access-Client-Secret:\n      secrets: [xyz]`],
  ["basic_auth", `- role: node\n  ${API}\n  basic_auth:\n    username: u\n    password: p`],
];

const rejected: [string, string, RegExp][] = [
  ["missing role", `- ${API}`, /role missing \(one of: pod, service, endpoints, endpointslice, node, ingress\)/],
  ["unknown role", `- role: deployment\n  ${API}`, /unknown Kubernetes SD role "deployment"/],
  ["unknown field", `- role: pod\n  ${API}\n  refresh_interval: 1m`, /field refresh_interval not found in type kubernetes.SDConfig/],
  ["api_server with kubeconfig_file", `- role: pod\n  ${API}\n  kubeconfig_file: /etc/kube.conf`, /cannot use 'kubeconfig_file' and 'api_server' simultaneously/],
  ["kubeconfig_file with custom http config", `- role: pod\n  kubeconfig_file: /etc/kube.conf\n  bearer_token: x`, /cannot use a custom HTTP client configuration together with 'kubeconfig_file'/],
  ["custom http config without api_server", `- role: pod\n  bearer_token: x`, /to use custom HTTP client configuration please provide the 'api_server' URL explicitly/],
  ["api_server with own_namespace", `- role: pod\n  ${API}\n  namespaces:\n    own_namespace: true`, /cannot use 'api_server' and 'namespaces.own_namespace' simultaneously/],
  ["duplicated selector role", `- role: endpoints\n  ${API}\n  selectors:\n    - role: pod\n      label: a=b\n    - role: pod\n      label: c=d`, /duplicated selector role: pod/],
  ["selector role not allowed", `- role: pod\n  ${API}\n  selectors:\n    - role: node\n      label: a=b`, /pod role supports only pod selectors/],
  ["endpoints selector on endpointslice", `- role: endpointslice\n  ${API}\n  selectors:\n    - role: endpoints\n      label: a=b`, /endpointslice role supports only pod, service, endpointslice selectors/],
  ["bad label selector", `- role: pod\n  ${API}\n  selectors:\n    - role: pod\n      label: "app==="`, /unable to parse requirement/],
  ["bad field selector", `- role: pod\n  ${API}\n  selectors:\n    - role: pod\n      field: "spec.nodeName"`, /invalid selector/],
  ["two auth methods", `- role: pod\n  ${API}\n  bearer_token: x\n  basic_auth:\n    username: u`, /at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured/],
  // What Workers cannot do.
  ["no api_server (in-cluster config)", `- role: pod`, /api_server is required on Cloudflare Workers: there is no in-cluster service account/],
  ["kubeconfig_file alone", `- role: pod\n  kubeconfig_file: /etc/kube.conf`, /kubeconfig_file is not supported on Cloudflare Workers/],
  ["own_namespace without api_server", `- role: pod\n  namespaces:\n    own_namespace: true`, /namespaces.own_namespace is not supported on Cloudflare Workers/],
  ["custom CA", `- role: pod\n  ${API}\n  tls_config:\n    ca_file: /ca.pem`, /tls_config.ca_file is not supported on Cloudflare Workers: fetch only trusts public certificate authorities/],
];

describe("kubernetes_sd_configs", () => {
  it.each(accepted)("accepts %s", (_, sd) => {
    const cfg = parse(sd);
    expect(cfg.scrapeConfigs[0]!.kubernetesSdConfigs.length).toBeGreaterThan(0);
  });

  it.each(rejected)("rejects %s", (_, sd, msg) => {
    expect(() => parse(sd)).toThrow(msg);
  });

  it("reports errors with file and line", () => {
    expect(() => parse(`- role: pod\n  ${API}\n  selectors:\n    - role: node\n      label: a=b`)).toThrow(/^prometheus\.yml:\d+: /);
  });

  it("keeps what discovery needs", () => {
    const [k] = parse(`- role: endpoints\n  ${API}\n  namespaces:\n    names: [a]\n  selectors:\n    - role: service\n      label: x=y\n  attach_metadata:\n    node: true\n  authorization:\n    credentials: tok`).scrapeConfigs[0]!.kubernetesSdConfigs;
    expect(k).toMatchObject({
      role: "endpoints",
      apiServer: "https://k8s.example.com:6443",
      namespaces: ["a"],
      selectors: [{ role: "service", label: "x=y", field: "" }],
      attachMetadata: { node: true, namespace: false },
      httpClient: { authorization: { type: "Bearer", credentials: "tok" } },
    });
  });
});
