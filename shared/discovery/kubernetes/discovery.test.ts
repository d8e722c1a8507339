import { describe, expect, it } from "vitest";
import { KubernetesDiscovery } from "./discovery.ts";
import type { KubernetesSdConfig } from "../../config/types.ts";
import { KubeApiServer } from "../../../test/support/kube-apiserver.ts";
import * as fx from "../../../test/fixtures/kubernetes/objects.ts";

function config(role: KubernetesSdConfig["role"], extra: Partial<KubernetesSdConfig> = {}): KubernetesSdConfig {
  return {
    role,
    apiServer: "http://127.0.0.1:6443",
    namespaces: [],
    selectors: [],
    attachMetadata: { node: false, namespace: false },
    httpClient: { httpHeaders: {}, followRedirects: true, enableHttp2: true, authorization: { type: "Bearer", credentials: "t0k3n" } },
    line: 1,
    ...extra,
  };
}

describe("kubernetes discovery: list, then watch from the last resourceVersion", () => {
  it("follows adds, modifications, deletions and bookmarks", async () => {
    const api = new KubeApiServer();
    api.add("pods", fx.multiPortPod());
    const d = new KubernetesDiscovery(config("pod"));
    const first = await d.refresh(api.fetch);
    expect(first.map((g) => g.source)).toEqual(["pod/default/testpod"]);
    expect(api.requests[0]).toBe("/api/v1/pods");

    const second = fx.multiPortPod();
    second.metadata.name = "other";
    api.add("pods", second);
    const changed = fx.multiPortPod();
    changed.status.conditions = [{ type: "Ready", status: "False" }];
    api.modify("pods", changed);
    const groups = await d.refresh(api.fetch);
    expect(api.requests[1]).toMatch(/^\/api\/v1\/pods\?watch=1&resourceVersion=101&allowWatchBookmarks=true&timeoutSeconds=1$/);
    expect(groups.map((g) => g.source)).toEqual(["pod/default/other", "pod/default/testpod"]);
    expect(groups[1]!.labels.__meta_kubernetes_pod_ready).toBe("false");

    api.delete("pods", second);
    expect((await d.refresh(api.fetch)).map((g) => g.source)).toEqual(["pod/default/testpod"]);
    // Nothing changed: the bookmark still moves the resume point forward.
    await d.refresh(api.fetch);
    expect(api.requests.at(-1)).toContain("resourceVersion=104");
    expect(d.requests).toBe(4);
  });

  it("lists again when the resourceVersion expired (410)", async () => {
    const api = new KubeApiServer();
    api.add("services", fx.service());
    const d = new KubernetesDiscovery(config("service"));
    await d.refresh(api.fetch);
    const svc2 = fx.service();
    svc2.metadata.name = "second";
    api.add("services", svc2);
    api.compact();
    const groups = await d.refresh(api.fetch);
    expect(groups.map((g) => g.source)).toEqual(["svc/default/second", "svc/default/testendpoints"]);
    expect(api.requests.slice(-2).map((r) => r.split("?")[0]!.split("&")[0])).toEqual(["/api/v1/services", "/api/v1/services"]);
  });

  it("reads only the configured namespaces, with the role's selectors, plus the resources the role needs", async () => {
    const api = new KubeApiServer();
    api.add("endpoints", fx.endpoints());
    api.add("services", fx.service());
    api.add("pods", fx.endpointsPod());
    const other = fx.endpoints();
    other.metadata.namespace = "kube-system";
    api.add("endpoints", other);
    const d = new KubernetesDiscovery(config("endpoints", {
      namespaces: ["default"],
      selectors: [{ role: "service", label: "app/name=test", field: "" }],
      attachMetadata: { node: true, namespace: false },
    }));
    const groups = await d.refresh(api.fetch);
    expect(groups.map((g) => g.source)).toEqual(["endpoints/default/testendpoints"]);
    expect(api.requests.sort()).toEqual([
      "/api/v1/namespaces/default/endpoints",
      "/api/v1/namespaces/default/pods",
      "/api/v1/namespaces/default/services?labelSelector=app%2Fname%3Dtest",
      "/api/v1/nodes",
    ]);
  });

  it("throws while the API server is down, and recovers after", async () => {
    const api = new KubeApiServer();
    api.add("nodes", fx.node());
    const d = new KubernetesDiscovery(config("node"));
    await d.refresh(api.fetch);
    api.setDown(true);
    await expect(d.refresh(api.fetch)).rejects.toThrow(/HTTP status 503/);
    api.setDown(false);
    expect((await d.refresh(api.fetch)).map((g) => g.source)).toEqual(["node/test"]);
  });
});
