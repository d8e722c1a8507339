/**
 * @module
 * `kubernetes_sd_configs`: Prometheus's checks (discovery/kubernetes
 * SDConfig.UnmarshalYAML, in its order and words), then what a Worker
 * cannot do — in-cluster config, kubeconfig files, own_namespace — refused
 * with the reason.
 */
import { ALLOWED_SELECTORS, ROLES } from "../discovery/kubernetes/roles.ts";
import { checkFieldSelector, checkLabelSelector } from "../discovery/kubernetes/selectors.ts";
import type { HttpClientConfig, KubernetesRole, KubernetesSdConfig, KubernetesSelector } from "./types.ts";
import { HTTP_CLIENT_FIELDS, readHttpClient } from "./http-client.ts";
import { YamlStruct } from "./yaml-reader.ts";
import type { YamlFile, YamlNode } from "./yaml-reader.ts";
import { checkHttpUrl } from "./service-discovery.ts";

const FIELDS = ["api_server", "role", "kubeconfig_file", "namespaces", "selectors", "attach_metadata", ...HTTP_CLIENT_FIELDS] as const;

function readRole(s: YamlStruct, field: string): KubernetesRole | "" {
  const role = s.string(field);
  if (role !== "" && !(ROLES as readonly string[]).includes(role)) throw s.error(field, `unknown Kubernetes SD role "${role}"`);
  return role as KubernetesRole | "";
}

function isCustom(hc: HttpClientConfig, s: YamlStruct): boolean {
  return hc.basicAuth !== undefined || hc.authorization !== undefined || Object.keys(hc.httpHeaders).length > 0 ||
    !hc.followRedirects || !hc.enableHttp2 || s.has("tls_config");
}

export function readKubernetesSd(file: YamlFile, node: YamlNode | null, parentLine: number): KubernetesSdConfig {
  const s = new YamlStruct(file, node, "kubernetes.SDConfig", FIELDS, parentLine);
  const role = readRole(s, "role");
  const apiServer = s.string("api_server");
  const kubeconfig = s.string("kubeconfig_file");
  const nsd = s.struct("namespaces", "kubernetes.NamespaceDiscovery", ["own_namespace", "names"]);
  const ownNamespace = nsd.bool("own_namespace", false);
  const names = nsd.stringList("names");
  const selectors = s.list("selectors", "[]kubernetes.SelectorConfig", (n) => {
    const sel = new YamlStruct(file, n, "kubernetes.SelectorConfig", ["role", "label", "field"], s.lineOf("selectors"));
    return { role: readRole(sel, "role"), label: sel.string("label"), field: sel.string("field"), line: sel.line };
  });
  const attach = s.struct("attach_metadata", "kubernetes.AttachMetadataConfig", ["node", "namespace"]);
  const attachMetadata = { node: attach.bool("node", false), namespace: attach.bool("namespace", false) };

  // Prometheus's checks, in its order.
  if (role === "") throw s.error("role", "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
  const httpClient = readHttpClient(s, { followRedirects: true, enableHttp2: true });
  const custom = isCustom(httpClient, s);
  if (apiServer !== "" && kubeconfig !== "") throw s.error("kubeconfig_file", "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  if (kubeconfig !== "" && custom) throw s.error("kubeconfig_file", "cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
  if (apiServer === "" && custom) throw s.error(undefined, "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
  if (apiServer !== "" && ownNamespace) throw s.error("namespaces", "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  if (kubeconfig !== "" && ownNamespace) throw s.error("namespaces", "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
  const seen = new Set<string>();
  for (const sel of selectors) {
    if (seen.has(sel.role)) throw file.error(sel.line, `duplicated selector role: ${sel.role}`);
    seen.add(sel.role);
    const allowed = ALLOWED_SELECTORS[role];
    if (!(allowed as string[]).includes(sel.role)) throw file.error(sel.line, `${role} role supports only ${allowed.join(", ")} selectors`);
    try {
      checkFieldSelector(sel.field);
      checkLabelSelector(sel.label);
    } catch (e) {
      throw file.error(sel.line, (e as Error).message);
    }
  }

  // What a Worker cannot do.
  if (kubeconfig !== "") throw s.error("kubeconfig_file", "kubeconfig_file is not supported on Cloudflare Workers: Workers have no file system; set api_server and authorization instead");
  if (ownNamespace) throw s.error("namespaces", "namespaces.own_namespace is not supported on Cloudflare Workers: a Worker runs in no Kubernetes namespace; list the namespaces in names");
  if (apiServer === "") {
    throw s.error("role", "api_server is required on Cloudflare Workers: there is no in-cluster service account; point it at the API server's public endpoint or a Cloudflare Tunnel in front of it");
  }
  checkHttpUrl(s, "api_server", apiServer);
  return {
    role,
    apiServer,
    namespaces: names,
    selectors: selectors.map(({ role: r, label, field }) => ({ role: r, label, field }) as KubernetesSelector),
    attachMetadata,
    httpClient,
    line: s.line,
  };
}
