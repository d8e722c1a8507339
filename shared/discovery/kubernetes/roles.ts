/**
 * @module
 * One registry of Kubernetes SD roles: the API resources each role reads and
 * how an object of its primary resource becomes a target group, with the
 * `__meta_kubernetes_*` labels exactly as Prometheus's discovery/kubernetes
 * sets them (pod.go, service.go, endpoints.go, endpointslice.go,
 * ingress.go, node.go).
 */
import { joinHostPort } from "../dns-sd.ts";
import { ADDRESS_LABEL } from "../target-group.ts";
import type { TargetGroup } from "../target-group.ts";
import { META, NAMESPACE_LABEL, addLabelsAndAnnotations, addObjectMetaLabels, sanitizeLabelName } from "./meta-labels.ts";
import type {
  Container, EndpointAddress, EndpointPort, EndpointSlice, Endpoints, Ingress, KubeObject, Node, ObjectReference, Pod, Service,
} from "./objects.ts";

export const ROLES = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"] as const;
export type Role = (typeof ROLES)[number];

/** API resources discovery lists and watches. */
export type Resource = "pods" | "services" | "endpoints" | "endpointslices" | "ingresses" | "nodes" | "namespaces";

/** Read access to the objects discovery holds, by resource. */
export interface ObjectCache {
  get<T extends KubeObject>(resource: Resource, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject>(resource: Resource): T[];
}

export interface AttachMetadata {
  node: boolean;
  namespace: boolean;
}

interface RoleKind {
  /** The resource whose objects become target groups. */
  primary: Resource;
  /** Further resources read to add labels (services and pods of endpoints, …). */
  secondary: Resource[];
  /** Roles attach_metadata.node / .namespace apply to. */
  nodeMetadata: boolean;
  namespaceMetadata: boolean;
  build(obj: KubeObject, cache: ObjectCache, attach: AttachMetadata): TargetGroup;
}

type Labels = Record<string, string>;

const ROLE_KINDS: Record<Role, RoleKind> = {
  pod: { primary: "pods", secondary: [], nodeMetadata: true, namespaceMetadata: true, build: (o, c, a) => buildPod(o as Pod, c, a) },
  service: { primary: "services", secondary: [], nodeMetadata: false, namespaceMetadata: true, build: (o, c, a) => buildService(o as Service, c, a) },
  endpoints: {
    primary: "endpoints", secondary: ["services", "pods"], nodeMetadata: true, namespaceMetadata: true,
    build: (o, c, a) => buildEndpoints(o as Endpoints, c, a),
  },
  endpointslice: {
    primary: "endpointslices", secondary: ["services", "pods"], nodeMetadata: true, namespaceMetadata: true,
    build: (o, c, a) => buildEndpointSlice(o as EndpointSlice, c, a),
  },
  node: { primary: "nodes", secondary: [], nodeMetadata: false, namespaceMetadata: false, build: (o) => buildNode(o as Node) },
  ingress: { primary: "ingresses", secondary: [], nodeMetadata: false, namespaceMetadata: true, build: (o, c, a) => buildIngress(o as Ingress, c, a) },
};

/** The selector roles a discovery role accepts (Prometheus's allowedSelectors). */
export const ALLOWED_SELECTORS: Record<Role, Role[]> = {
  pod: ["pod"],
  service: ["service"],
  endpointslice: ["pod", "service", "endpointslice"],
  endpoints: ["pod", "service", "endpoints"],
  node: ["node"],
  ingress: ["ingress"],
};

/** The resource a selector of `role` filters. */
export const SELECTOR_RESOURCE: Record<Role, Resource> = {
  pod: "pods", service: "services", endpoints: "endpoints", endpointslice: "endpointslices", node: "nodes", ingress: "ingresses",
};

/** Every resource a role reads, primary first; node/namespace metadata add nodes/namespaces. */
export function roleResources(role: Role, attach: AttachMetadata): Resource[] {
  const k = ROLE_KINDS[role];
  const out: Resource[] = [k.primary, ...k.secondary];
  if (attach.node && k.nodeMetadata) out.push("nodes");
  if (attach.namespace && k.namespaceMetadata) out.push("namespaces");
  return out;
}

/** Whether `resource` is listed per namespace (nodes and namespaces are cluster-scoped). */
export function isNamespaced(resource: Resource): boolean {
  return resource !== "nodes" && resource !== "namespaces";
}

/** Target groups for every object of the role's primary resource, sorted by source. */
export function buildGroups(role: Role, cache: ObjectCache, attach: AttachMetadata): TargetGroup[] {
  const k = ROLE_KINDS[role];
  const eff = { node: attach.node && k.nodeMetadata, namespace: attach.namespace && k.namespaceMetadata };
  return cache.list(k.primary).map((o) => k.build(o, cache, eff)).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

function ns(o: KubeObject): string {
  return o.metadata.namespace ?? "";
}

function addNodeLabels(target: Labels, cache: ObjectCache, nodeName: string | undefined): void {
  if (nodeName === undefined) return;
  const node = cache.get<Node>("nodes", undefined, nodeName);
  if (node !== undefined) addObjectMetaLabels(target, node.metadata, "node");
}

function addNamespaceLabels(labels: Labels, cache: ObjectCache, namespace: string): void {
  const n = cache.get("namespaces", undefined, namespace);
  if (n !== undefined) addLabelsAndAnnotations(labels, n.metadata, "namespace");
}

// === pod ===

function podReady(pod: Pod): string {
  const c = (pod.status.conditions ?? []).find((x) => x.type === "Ready");
  return (c?.status ?? "Unknown").toLowerCase();
}

function podLabels(pod: Pod): Labels {
  const ls: Labels = {
    [META + "pod_ip"]: pod.status.podIP ?? "",
    [META + "pod_ready"]: podReady(pod),
    [META + "pod_phase"]: pod.status.phase ?? "",
    [META + "pod_node_name"]: pod.spec.nodeName ?? "",
    [META + "pod_host_ip"]: pod.status.hostIP ?? "",
    [META + "pod_uid"]: pod.metadata.uid ?? "",
  };
  addObjectMetaLabels(ls, pod.metadata, "pod");
  const ctl = (pod.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (ctl !== undefined) {
    if (ctl.kind !== "") ls[META + "pod_controller_kind"] = ctl.kind;
    if (ctl.name !== "") ls[META + "pod_controller_name"] = ctl.name;
  }
  return ls;
}

/** Containers then init containers, each with whether it is an init container. */
function allContainers(pod: Pod): { c: Container; init: boolean }[] {
  return [
    ...(pod.spec.containers ?? []).map((c) => ({ c, init: false })),
    ...(pod.spec.initContainers ?? []).map((c) => ({ c, init: true })),
  ];
}

function containerPortLabels(c: Container, port: { name?: string; containerPort: number; protocol?: string }, init: boolean): Labels {
  return {
    [META + "pod_container_name"]: c.name,
    [META + "pod_container_image"]: c.image ?? "",
    [META + "pod_container_port_name"]: port.name ?? "",
    [META + "pod_container_port_number"]: String(port.containerPort),
    [META + "pod_container_port_protocol"]: port.protocol ?? "",
    [META + "pod_container_init"]: String(init),
  };
}

function buildPod(pod: Pod, cache: ObjectCache, attach: AttachMetadata): TargetGroup {
  const source = `pod/${ns(pod)}/${pod.metadata.name}`;
  // PodIP is empty while a pod starts or after eviction: an empty group removes its targets.
  const ip = pod.status.podIP ?? "";
  if (ip === "") return { source, targets: [], labels: {} };
  const labels = podLabels(pod);
  labels[NAMESPACE_LABEL] = ns(pod);
  if (attach.node) addNodeLabels(labels, cache, pod.spec.nodeName);
  if (attach.namespace) addNamespaceLabels(labels, cache, ns(pod));
  const targets: Labels[] = [];
  for (const { c, init } of allContainers(pod)) {
    const statuses = init ? pod.status.initContainerStatuses : pod.status.containerStatuses;
    const id = (statuses ?? []).find((s) => s.name === c.name)?.containerID ?? "";
    const ports = c.ports ?? [];
    if (ports.length === 0) {
      // No port: one target per container at the pod IP; the user adds a port by relabeling.
      targets.push({
        [ADDRESS_LABEL]: ip,
        [META + "pod_container_name"]: c.name,
        [META + "pod_container_id"]: id,
        [META + "pod_container_image"]: c.image ?? "",
        [META + "pod_container_init"]: String(init),
      });
      continue;
    }
    for (const p of ports) {
      targets.push({ [ADDRESS_LABEL]: joinHostPort(ip, p.containerPort), [META + "pod_container_id"]: id, ...containerPortLabels(c, p, init) });
    }
  }
  return { source, targets, labels };
}

// === service ===

function serviceLabels(svc: Service): Labels {
  const ls: Labels = { [NAMESPACE_LABEL]: ns(svc) };
  addObjectMetaLabels(ls, svc.metadata, "service");
  return ls;
}

function buildService(svc: Service, cache: ObjectCache, attach: AttachMetadata): TargetGroup {
  const labels = serviceLabels(svc);
  if (attach.namespace) addNamespaceLabels(labels, cache, ns(svc));
  const type = svc.spec.type ?? "";
  const targets = (svc.spec.ports ?? []).map((port) => {
    const t: Labels = {
      [ADDRESS_LABEL]: joinHostPort(`${svc.metadata.name}.${ns(svc)}.svc`, port.port),
      [META + "service_port_name"]: port.name ?? "",
      [META + "service_port_number"]: String(port.port),
      [META + "service_port_protocol"]: port.protocol ?? "",
      [META + "service_type"]: type,
    };
    if (type === "ExternalName") t[META + "service_external_name"] = svc.spec.externalName ?? "";
    else t[META + "service_cluster_ip"] = svc.spec.clusterIP ?? "";
    if (type === "LoadBalancer") t[META + "service_loadbalancer_ip"] = svc.spec.loadBalancerIP ?? "";
    return t;
  });
  return { source: `svc/${ns(svc)}/${svc.metadata.name}`, targets, labels };
}

// === endpoints and endpointslice (shared pod logic) ===

function resolvePod(cache: ObjectCache, ref: ObjectReference | undefined): Pod | undefined {
  if (ref === undefined || ref.kind !== "Pod") return undefined;
  return cache.get<Pod>("pods", ref.namespace, ref.name);
}

/**
 * Adds pod labels to a target whose address belongs to `pod`, and the
 * container port matching `port`; remembers the port so that the pod's other
 * container ports get targets of their own afterwards.
 */
class SeenPods {
  readonly #seen = new Map<string, { pod: Pod; ports: number[] }>();

  attach(target: Labels, pod: Pod, port: number | undefined): Labels {
    const key = `${ns(pod)}/${pod.metadata.name}`;
    let e = this.#seen.get(key);
    if (e === undefined) this.#seen.set(key, (e = { pod, ports: [] }));
    const out = { ...target, ...podLabels(pod) };
    if (port !== undefined) {
      for (const { c, init } of allContainers(pod)) {
        const cp = (c.ports ?? []).find((p) => p.containerPort === port);
        if (cp !== undefined) {
          Object.assign(out, containerPortLabels(c, cp, init));
          break;
        }
      }
      e.ports.push(port);
    }
    return out;
  }

  /** Targets for container ports no endpoint port covered. */
  remaining(): Labels[] {
    const out: Labels[] = [];
    for (const { pod, ports } of this.#seen.values()) {
      const ip = pod.status.podIP ?? "";
      if (ip === "") continue;
      for (const { c, init } of allContainers(pod)) {
        for (const cp of c.ports ?? []) {
          if (ports.includes(cp.containerPort)) continue;
          out.push({ [ADDRESS_LABEL]: joinHostPort(ip, cp.containerPort), ...containerPortLabels(c, cp, init), ...podLabels(pod) });
        }
      }
    }
    return out;
  }
}

function buildEndpoints(eps: Endpoints, cache: ObjectCache, attach: AttachMetadata): TargetGroup {
  const labels: Labels = { [NAMESPACE_LABEL]: ns(eps) };
  const svc = cache.get<Service>("services", ns(eps), eps.metadata.name);
  if (svc !== undefined) Object.assign(labels, serviceLabels(svc));
  addObjectMetaLabels(labels, eps.metadata, "endpoints");
  if (attach.namespace) addNamespaceLabels(labels, cache, ns(eps));
  const seen = new SeenPods();
  const targets: Labels[] = [];
  const add = (addr: EndpointAddress, port: EndpointPort, ready: string): void => {
    let t: Labels = {
      [ADDRESS_LABEL]: joinHostPort(addr.ip, port.port),
      [META + "endpoint_port_name"]: port.name ?? "",
      [META + "endpoint_port_protocol"]: port.protocol ?? "",
      [META + "endpoint_ready"]: ready,
    };
    if (addr.targetRef !== undefined) {
      t[META + "endpoint_address_target_kind"] = addr.targetRef.kind;
      t[META + "endpoint_address_target_name"] = addr.targetRef.name;
    }
    if (addr.nodeName !== undefined) t[META + "endpoint_node_name"] = addr.nodeName;
    if (addr.hostname !== undefined && addr.hostname !== "") t[META + "endpoint_hostname"] = addr.hostname;
    if (attach.node) addNodeLabels(t, cache, addr.nodeName ?? (addr.targetRef?.kind === "Node" ? addr.targetRef.name : undefined));
    const pod = resolvePod(cache, addr.targetRef);
    if (pod !== undefined) t = seen.attach(t, pod, port.port);
    targets.push(t);
  };
  for (const ss of eps.subsets ?? []) {
    for (const port of ss.ports ?? []) {
      for (const a of ss.addresses ?? []) add(a, port, "true");
      for (const a of ss.notReadyAddresses ?? []) add(a, port, "false");
    }
  }
  targets.push(...seen.remaining());
  return { source: `endpoints/${ns(eps)}/${eps.metadata.name}`, targets, labels };
}

function buildEndpointSlice(eps: EndpointSlice, cache: ObjectCache, attach: AttachMetadata): TargetGroup {
  const labels: Labels = { [NAMESPACE_LABEL]: ns(eps), [META + "endpointslice_address_type"]: eps.addressType };
  addObjectMetaLabels(labels, eps.metadata, "endpointslice");
  // Every EndpointSlice names its Service in the kubernetes.io/service-name label.
  const svcName = eps.metadata.labels?.["kubernetes.io/service-name"];
  const svc = svcName === undefined ? undefined : cache.get<Service>("services", ns(eps), svcName);
  if (svc !== undefined) Object.assign(labels, serviceLabels(svc));
  if (attach.namespace) addNamespaceLabels(labels, cache, ns(eps));
  const seen = new SeenPods();
  const targets: Labels[] = [];
  for (const ep of eps.endpoints ?? []) {
    for (const port of eps.ports ?? []) {
      for (const addr of ep.addresses) {
        let t: Labels = { [ADDRESS_LABEL]: port.port === undefined ? addr : joinHostPort(addr, port.port) };
        if (port.name !== undefined) t[META + "endpointslice_port_name"] = port.name;
        if (port.protocol !== undefined) t[META + "endpointslice_port_protocol"] = port.protocol;
        if (port.port !== undefined) t[META + "endpointslice_port"] = String(port.port);
        if (port.appProtocol !== undefined) t[META + "endpointslice_port_app_protocol"] = port.appProtocol;
        const cond = ep.conditions ?? {};
        if (cond.ready !== undefined) t[META + "endpointslice_endpoint_conditions_ready"] = String(cond.ready);
        if (cond.serving !== undefined) t[META + "endpointslice_endpoint_conditions_serving"] = String(cond.serving);
        if (cond.terminating !== undefined) t[META + "endpointslice_endpoint_conditions_terminating"] = String(cond.terminating);
        if (ep.hostname !== undefined) t[META + "endpointslice_endpoint_hostname"] = ep.hostname;
        if (ep.targetRef !== undefined) {
          t[META + "endpointslice_address_target_kind"] = ep.targetRef.kind;
          t[META + "endpointslice_address_target_name"] = ep.targetRef.name;
        }
        if (ep.nodeName !== undefined) t[META + "endpointslice_endpoint_node_name"] = ep.nodeName;
        if (ep.zone !== undefined) t[META + "endpointslice_endpoint_zone"] = ep.zone;
        for (const [k, v] of Object.entries(ep.deprecatedTopology ?? {})) {
          const ln = sanitizeLabelName(k);
          t[META + "endpointslice_endpoint_topology_" + ln] = v;
          t[META + "endpointslice_endpoint_topology_present_" + ln] = "true";
        }
        if (attach.node) addNodeLabels(t, cache, ep.targetRef?.kind === "Node" ? ep.targetRef.name : ep.nodeName);
        const pod = resolvePod(cache, ep.targetRef);
        if (pod !== undefined) t = seen.attach(t, pod, port.port);
        targets.push(t);
      }
    }
  }
  targets.push(...seen.remaining());
  return { source: `endpointslice/${ns(eps)}/${eps.metadata.name}`, targets, labels };
}

// === ingress ===

/** A TLS host pattern matches the host exactly or as a `*.` wildcard of one label. */
export function matchesHostnamePattern(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  const p = pattern.split(".");
  const h = host.split(".");
  if (p[0] !== "*" || p.length !== h.length) return false;
  return p.every((part, i) => i === 0 || part === h[i]);
}

function buildIngress(ing: Ingress, cache: ObjectCache, attach: AttachMetadata): TargetGroup {
  const labels: Labels = { [NAMESPACE_LABEL]: ns(ing) };
  if (ing.spec.ingressClassName !== undefined) labels[META + "ingress_class_name"] = ing.spec.ingressClassName;
  addObjectMetaLabels(labels, ing.metadata, "ingress");
  if (attach.namespace) addNamespaceLabels(labels, cache, ns(ing));
  const tlsHosts = (ing.spec.tls ?? []).flatMap((t) => t.hosts ?? []);
  const targets: Labels[] = [];
  for (const rule of ing.spec.rules ?? []) {
    const host = rule.host ?? "";
    const scheme = tlsHosts.some((p) => matchesHostnamePattern(p, host)) ? "https" : "http";
    const paths = rule.http === undefined ? ["/"] : (rule.http.paths ?? []).map((p) => (p.path === undefined || p.path === "" ? "/" : p.path));
    for (const path of paths) {
      targets.push({ [ADDRESS_LABEL]: host, [META + "ingress_scheme"]: scheme, [META + "ingress_host"]: host, [META + "ingress_path"]: path });
    }
  }
  return { source: `ingress/${ns(ing)}/${ing.metadata.name}`, targets, labels };
}

// === node ===

const NODE_ADDRESS_PRIORITY = ["InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname"];

function buildNode(node: Node): TargetGroup {
  const source = `node/${node.metadata.name}`;
  const labels: Labels = { [META + "node_provider_id"]: node.spec?.providerID ?? "" };
  addObjectMetaLabels(labels, node.metadata, "node");
  const byType = new Map<string, string[]>();
  for (const a of node.status.addresses ?? []) {
    const list = byType.get(a.type) ?? [];
    list.push(a.address);
    byType.set(a.type, list);
  }
  const type = NODE_ADDRESS_PRIORITY.find((t) => byType.has(t));
  // Prometheus skips a node without any address ("host address unknown").
  if (type === undefined) return { source, targets: [], labels };
  const port = node.status.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const t: Labels = { [ADDRESS_LABEL]: joinHostPort(byType.get(type)![0]!, port), instance: node.metadata.name };
  for (const [ty, list] of byType) t[sanitizeLabelName(META + "node_address_" + ty)] = list[0]!;
  return { source, targets: [t], labels };
}
