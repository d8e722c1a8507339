import { describe, expect, it } from "vitest";
import { ObjectStore } from "./store.ts";
import { buildGroups, matchesHostnamePattern } from "./roles.ts";
import type { Resource } from "./roles.ts";
import type { KubeObject } from "./objects.ts";
import * as fx from "../../../test/fixtures/kubernetes/objects.ts";

const NONE = { node: false, namespace: false };

function store(objs: Partial<Record<Resource, KubeObject[]>>): ObjectStore {
  const s = new ObjectStore();
  for (const [r, items] of Object.entries(objs)) s.replace(r as Resource, undefined, items);
  return s;
}

const podGroupLabels = {
  __meta_kubernetes_pod_name: "testpod",
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_pod_label_test_label: "testvalue",
  __meta_kubernetes_pod_labelpresent_test_label: "true",
  __meta_kubernetes_pod_annotation_test_annotation: "testannotationvalue",
  __meta_kubernetes_pod_annotationpresent_test_annotation: "true",
  __meta_kubernetes_pod_node_name: "testnode",
  __meta_kubernetes_pod_ip: fx.POD_IP,
  __meta_kubernetes_pod_host_ip: fx.HOST_IP,
  __meta_kubernetes_pod_ready: "true",
  __meta_kubernetes_pod_phase: "Running",
  __meta_kubernetes_pod_uid: "abc123",
  __meta_kubernetes_pod_controller_kind: "testcontrollerkind",
  __meta_kubernetes_pod_controller_name: "testcontrollername",
};

describe("kubernetes role pod", () => {
  it("makes a target per container port, one per portless container, init containers last", () => {
    const [g] = buildGroups("pod", store({ pods: [fx.multiPortPod()] }), NONE);
    expect(g!.source).toBe("pod/default/testpod");
    expect(g!.labels).toEqual(podGroupLabels);
    expect(g!.targets).toEqual([
      {
        __address__: `${fx.POD_IP}:9000`,
        __meta_kubernetes_pod_container_name: "testcontainer0",
        __meta_kubernetes_pod_container_id: "docker://a1b2c3d4e5f6",
        __meta_kubernetes_pod_container_image: "testcontainer0:latest",
        __meta_kubernetes_pod_container_port_name: "testport0",
        __meta_kubernetes_pod_container_port_number: "9000",
        __meta_kubernetes_pod_container_port_protocol: "TCP",
        __meta_kubernetes_pod_container_init: "false",
      },
      {
        __address__: `${fx.POD_IP}:9001`,
        __meta_kubernetes_pod_container_name: "testcontainer0",
        __meta_kubernetes_pod_container_id: "docker://a1b2c3d4e5f6",
        __meta_kubernetes_pod_container_image: "testcontainer0:latest",
        __meta_kubernetes_pod_container_port_name: "testport1",
        __meta_kubernetes_pod_container_port_number: "9001",
        __meta_kubernetes_pod_container_port_protocol: "UDP",
        __meta_kubernetes_pod_container_init: "false",
      },
      {
        __address__: fx.POD_IP,
        __meta_kubernetes_pod_container_name: "testcontainer1",
        __meta_kubernetes_pod_container_id: "containerd://6f5e4d3c2b1a",
        __meta_kubernetes_pod_container_image: "testcontainer1:latest",
        __meta_kubernetes_pod_container_init: "false",
      },
      {
        __address__: fx.POD_IP,
        __meta_kubernetes_pod_container_name: "initcontainer",
        __meta_kubernetes_pod_container_id: "containerd://initcontainerid",
        __meta_kubernetes_pod_container_image: "initcontainer:latest",
        __meta_kubernetes_pod_container_init: "true",
      },
    ]);
  });

  it("reports readiness unknown without a Ready condition and nothing for a pod without IP", () => {
    const p = fx.multiPortPod();
    p.status.conditions = [];
    expect(buildGroups("pod", store({ pods: [p] }), NONE)[0]!.labels.__meta_kubernetes_pod_ready).toBe("unknown");
    p.status.podIP = "";
    expect(buildGroups("pod", store({ pods: [p] }), NONE)).toEqual([{ source: "pod/default/testpod", targets: [], labels: {} }]);
  });

  it("attaches node and namespace metadata when asked", () => {
    const n = fx.node();
    n.metadata.name = "testnode";
    const [g] = buildGroups("pod", store({ pods: [fx.multiPortPod()], nodes: [n], namespaces: [fx.namespace()] }), { node: true, namespace: true });
    expect(g!.labels).toMatchObject({
      __meta_kubernetes_node_name: "testnode",
      __meta_kubernetes_node_label_test_label: "testvalue",
      __meta_kubernetes_node_labelpresent_test_label: "true",
      __meta_kubernetes_node_annotation_test_annotation: "testannotationvalue",
      __meta_kubernetes_namespace_label_team: "platform",
      __meta_kubernetes_namespace_labelpresent_team: "true",
      __meta_kubernetes_namespace_annotation_owner: "ops",
    });
    expect(g!.labels).not.toHaveProperty("__meta_kubernetes_namespace_name");
  });
});

describe("kubernetes role service", () => {
  it("makes a target per port at the service's DNS name", () => {
    const [g] = buildGroups("service", store({ services: [fx.service()] }), NONE);
    expect(g).toEqual({
      source: "svc/default/testendpoints",
      labels: {
        __meta_kubernetes_namespace: "default",
        __meta_kubernetes_service_name: "testendpoints",
        __meta_kubernetes_service_label_app_name: "test",
        __meta_kubernetes_service_labelpresent_app_name: "true",
        __meta_kubernetes_service_annotation_test_annotation: "test",
        __meta_kubernetes_service_annotationpresent_test_annotation: "true",
      },
      targets: [
        {
          __address__: "testendpoints.default.svc:9000",
          __meta_kubernetes_service_port_name: "testport",
          __meta_kubernetes_service_port_number: "9000",
          __meta_kubernetes_service_port_protocol: "TCP",
          __meta_kubernetes_service_type: "ClusterIP",
          __meta_kubernetes_service_cluster_ip: "127.0.3.1",
        },
        {
          __address__: "testendpoints.default.svc:9001",
          __meta_kubernetes_service_port_name: "testport2",
          __meta_kubernetes_service_port_number: "9001",
          __meta_kubernetes_service_port_protocol: "TCP",
          __meta_kubernetes_service_type: "ClusterIP",
          __meta_kubernetes_service_cluster_ip: "127.0.3.1",
        },
      ],
    });
  });

  it("labels ExternalName and LoadBalancer services as Prometheus does", () => {
    const ext = fx.service();
    ext.spec = { type: "ExternalName", externalName: "db.example.com", ports: [{ port: 5432, protocol: "TCP" }] };
    const lb = fx.service();
    lb.metadata.name = "lb";
    lb.spec = { type: "LoadBalancer", clusterIP: "127.0.3.2", loadBalancerIP: "127.0.3.3", ports: [{ port: 80, protocol: "TCP" }] };
    const [g1, g2] = buildGroups("service", store({ services: [ext, lb] }), NONE);
    expect(g2!.targets[0]).toMatchObject({ __meta_kubernetes_service_external_name: "db.example.com", __meta_kubernetes_service_type: "ExternalName" });
    expect(g2!.targets[0]).not.toHaveProperty("__meta_kubernetes_service_cluster_ip");
    expect(g1!.targets[0]).toMatchObject({ __meta_kubernetes_service_cluster_ip: "127.0.3.2", __meta_kubernetes_service_loadbalancer_ip: "127.0.3.3" });
  });
});

describe("kubernetes role endpoints", () => {
  const s = () => store({ endpoints: [fx.endpoints()], services: [fx.service()], pods: [fx.endpointsPod()] });

  it("labels addresses, readiness, the service, and the pod's container ports", () => {
    const [g] = buildGroups("endpoints", s(), NONE);
    expect(g!.source).toBe("endpoints/default/testendpoints");
    expect(g!.labels).toEqual({
      __meta_kubernetes_namespace: "default",
      __meta_kubernetes_endpoints_name: "testendpoints",
      __meta_kubernetes_endpoints_label_app_name: "test",
      __meta_kubernetes_endpoints_labelpresent_app_name: "true",
      __meta_kubernetes_endpoints_annotation_test_annotation: "test",
      __meta_kubernetes_endpoints_annotationpresent_test_annotation: "true",
      __meta_kubernetes_service_name: "testendpoints",
      __meta_kubernetes_service_label_app_name: "test",
      __meta_kubernetes_service_labelpresent_app_name: "true",
      __meta_kubernetes_service_annotation_test_annotation: "test",
      __meta_kubernetes_service_annotationpresent_test_annotation: "true",
    });
    const podLabels = {
      __meta_kubernetes_pod_name: "eppod",
      __meta_kubernetes_pod_ip: "127.0.1.1",
      __meta_kubernetes_pod_ready: "true",
      __meta_kubernetes_pod_phase: "Running",
      __meta_kubernetes_pod_node_name: "testnode",
      __meta_kubernetes_pod_host_ip: fx.HOST_IP,
      __meta_kubernetes_pod_uid: "deadbeef",
    };
    expect(g!.targets).toEqual([
      {
        __address__: "127.0.1.1:9000",
        __meta_kubernetes_endpoint_hostname: "testendpoint1",
        __meta_kubernetes_endpoint_node_name: "foobar",
        __meta_kubernetes_endpoint_port_name: "testport",
        __meta_kubernetes_endpoint_port_protocol: "TCP",
        __meta_kubernetes_endpoint_ready: "true",
        __meta_kubernetes_endpoint_address_target_kind: "Pod",
        __meta_kubernetes_endpoint_address_target_name: "eppod",
        ...podLabels,
        __meta_kubernetes_pod_container_name: "c1",
        __meta_kubernetes_pod_container_image: "c1:latest",
        __meta_kubernetes_pod_container_port_name: "mainport",
        __meta_kubernetes_pod_container_port_number: "9000",
        __meta_kubernetes_pod_container_port_protocol: "TCP",
        __meta_kubernetes_pod_container_init: "false",
      },
      { __address__: "127.0.1.2:9001", __meta_kubernetes_endpoint_port_name: "testport", __meta_kubernetes_endpoint_port_protocol: "TCP", __meta_kubernetes_endpoint_ready: "true" },
      { __address__: "127.0.1.3:9001", __meta_kubernetes_endpoint_port_name: "testport", __meta_kubernetes_endpoint_port_protocol: "TCP", __meta_kubernetes_endpoint_ready: "false" },
      // The pod's container port that no endpoint port covered gets a target of its own.
      {
        __address__: "127.0.1.1:9001",
        ...podLabels,
        __meta_kubernetes_pod_container_name: "c2",
        __meta_kubernetes_pod_container_image: "c2:latest",
        __meta_kubernetes_pod_container_port_name: "sideport",
        __meta_kubernetes_pod_container_port_number: "9001",
        __meta_kubernetes_pod_container_port_protocol: "TCP",
        __meta_kubernetes_pod_container_init: "false",
      },
    ]);
  });

  it("drops the service labels when the service goes", () => {
    const st = s();
    st.replace("services", undefined, []);
    expect(buildGroups("endpoints", st, NONE)[0]!.labels).not.toHaveProperty("__meta_kubernetes_service_name");
  });
});

describe("kubernetes role endpointslice", () => {
  it("labels ports, conditions, topology, the service and the pod", () => {
    const [g] = buildGroups("endpointslice", store({ endpointslices: [fx.endpointSlice()], services: [fx.service()], pods: [fx.endpointsPod()] }), NONE);
    expect(g!.source).toBe("endpointslice/default/testendpoints");
    expect(g!.labels).toMatchObject({
      __meta_kubernetes_namespace: "default",
      __meta_kubernetes_endpointslice_address_type: "IPv4",
      __meta_kubernetes_endpointslice_name: "testendpoints",
      __meta_kubernetes_endpointslice_label_kubernetes_io_service_name: "testendpoints",
      __meta_kubernetes_endpointslice_labelpresent_kubernetes_io_service_name: "true",
      __meta_kubernetes_endpointslice_annotation_test_annotation: "test",
      __meta_kubernetes_service_name: "testendpoints",
    });
    const port = {
      __meta_kubernetes_endpointslice_port: "9000",
      __meta_kubernetes_endpointslice_port_name: "testport",
      __meta_kubernetes_endpointslice_port_protocol: "TCP",
      __meta_kubernetes_endpointslice_port_app_protocol: "http",
    };
    expect(g!.targets[0]).toEqual({
      __address__: "127.0.1.1:9000",
      ...port,
      __meta_kubernetes_endpointslice_endpoint_conditions_ready: "true",
      __meta_kubernetes_endpointslice_endpoint_conditions_serving: "true",
      __meta_kubernetes_endpointslice_endpoint_conditions_terminating: "false",
      __meta_kubernetes_endpointslice_endpoint_hostname: "testendpoint1",
      __meta_kubernetes_endpointslice_endpoint_node_name: "foobar",
      __meta_kubernetes_endpointslice_endpoint_zone: "us-east-1a",
      __meta_kubernetes_endpointslice_endpoint_topology_topology_kubernetes_io_region: "us-east-1",
      __meta_kubernetes_endpointslice_endpoint_topology_present_topology_kubernetes_io_region: "true",
      __meta_kubernetes_endpointslice_address_target_kind: "Pod",
      __meta_kubernetes_endpointslice_address_target_name: "eppod",
      __meta_kubernetes_pod_name: "eppod",
      __meta_kubernetes_pod_ip: "127.0.1.1",
      __meta_kubernetes_pod_ready: "true",
      __meta_kubernetes_pod_phase: "Running",
      __meta_kubernetes_pod_node_name: "testnode",
      __meta_kubernetes_pod_host_ip: fx.HOST_IP,
      __meta_kubernetes_pod_uid: "deadbeef",
      __meta_kubernetes_pod_container_name: "c1",
      __meta_kubernetes_pod_container_image: "c1:latest",
      __meta_kubernetes_pod_container_port_name: "mainport",
      __meta_kubernetes_pod_container_port_number: "9000",
      __meta_kubernetes_pod_container_port_protocol: "TCP",
      __meta_kubernetes_pod_container_init: "false",
    });
    expect(g!.targets[1]).toEqual({
      __address__: "127.0.1.2:9000",
      ...port,
      __meta_kubernetes_endpointslice_endpoint_conditions_ready: "false",
      __meta_kubernetes_endpointslice_endpoint_conditions_serving: "true",
      __meta_kubernetes_endpointslice_endpoint_conditions_terminating: "true",
    });
    expect(g!.targets[2]).toEqual({ __address__: "127.0.1.3:9000", ...port });
    expect(g!.targets[3]).toMatchObject({ __address__: "127.0.1.1:9001", __meta_kubernetes_pod_container_name: "c2" });
    expect(g!.targets).toHaveLength(4);
  });
});

describe("kubernetes role ingress", () => {
  it("makes a target per rule path, https where a TLS host (wildcards too) matches", () => {
    const [g] = buildGroups("ingress", store({ ingresses: [fx.ingress()] }), NONE);
    expect(g!.labels).toEqual({
      __meta_kubernetes_namespace: "default",
      __meta_kubernetes_ingress_name: "testingress",
      __meta_kubernetes_ingress_class_name: "testclass",
      __meta_kubernetes_ingress_label_test_label: "testvalue",
      __meta_kubernetes_ingress_labelpresent_test_label: "true",
      __meta_kubernetes_ingress_annotation_test_annotation: "testannotationvalue",
      __meta_kubernetes_ingress_annotationpresent_test_annotation: "true",
    });
    const t = (host: string, scheme: string, path: string) => ({
      __address__: host, __meta_kubernetes_ingress_host: host, __meta_kubernetes_ingress_scheme: scheme, __meta_kubernetes_ingress_path: path,
    });
    expect(g!.targets).toEqual([
      t("example.com", "http", "/"),
      t("example.com", "http", "/foo"),
      t("test.example.com", "https", "/"),
      t("nohttp.example.com", "https", "/"),
    ]);
  });

  it("matches host patterns as Prometheus's matchesHostnamePattern", () => {
    expect(matchesHostnamePattern("*.example.com", "a.example.com")).toBe(true);
    expect(matchesHostnamePattern("*.example.com", "a.b.example.com")).toBe(false);
    expect(matchesHostnamePattern("*.example.com", "example.com")).toBe(false);
    expect(matchesHostnamePattern("a.example.com", "a.example.com")).toBe(true);
  });
});

describe("kubernetes role node", () => {
  it("targets the kubelet at the highest-priority address, with instance set to the node name", () => {
    const [g] = buildGroups("node", store({ nodes: [fx.node()] }), NONE);
    expect(g).toEqual({
      source: "node/test",
      labels: {
        __meta_kubernetes_node_name: "test",
        __meta_kubernetes_node_provider_id: "aws:///de-west-3a/i-testinstance",
        __meta_kubernetes_node_label_test_label: "testvalue",
        __meta_kubernetes_node_labelpresent_test_label: "true",
        __meta_kubernetes_node_annotation_test_annotation: "testannotationvalue",
        __meta_kubernetes_node_annotationpresent_test_annotation: "true",
      },
      targets: [{
        __address__: "127.0.4.1:10250",
        instance: "test",
        __meta_kubernetes_node_address_InternalIP: "127.0.4.1",
        __meta_kubernetes_node_address_Hostname: "testnode",
      }],
    });
  });
});
