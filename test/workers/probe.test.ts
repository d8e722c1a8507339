/**
 * /probe and /heartbeat inside workerd with the real bindings: regional
 * probes go through one Prober object per region (counted: one DO call per
 * region per scrape), each probe's subrequests are counted by the prober
 * itself, and heartbeat tokens are enforced. Targets are closed loopback
 * ports: the network is not the point here (test/e2e/probe.test.ts is).
 */
import { describe, it, expect } from "vitest";
import { SELF, env } from "cloudflare:test";
import type { Env } from "../../workers/env.ts";
import { createApp } from "../../workers/query/app.ts";
import { proberStub } from "../../workers/probe/prober.ts";

const app = createApp();

/** The real env with Prober calls counted. */
function countingEnv(extra: Partial<Env> = {}) {
  const calls: string[] = [];
  const ns = env.PROBER;
  const wrapped = {
    idFromName: (name: string) => ns.idFromName(name),
    get(id: DurableObjectId, opts?: DurableObjectNamespaceGetDurableObjectOptions) {
      const stub = ns.get(id, opts);
      return {
        probe(...a: Parameters<typeof stub.probe>) {
          calls.push(`${opts?.locationHint}`);
          return stub.probe(...a);
        },
      };
    },
  };
  return { env: { ...env, PROBER: wrapped as unknown as Env["PROBER"], ...extra } as Env, calls };
}

describe("/probe in workerd", () => {
  it("runs one Prober call per region per scrape, each series labelled with its region", async () => {
    const c = countingEnv();
    const res = await app.fetch(new Request("http://localhost/probe?target=127.0.0.1:1&module=tcp_connect&region=weur&region=apac,enam"), c.env);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(c.calls.sort()).toEqual(["apac", "enam", "weur"]);
    for (const r of ["weur", "apac", "enam"]) expect(text).toMatch(new RegExp(`^probe_success\\{region="${r}"\\} 0$`, "m"));
    // One family per name, with every region's sample in it.
    expect(text.match(/^# TYPE probe_success gauge$/gm)!.length).toBe(1);
    console.log(`cost probe: ${c.calls.length / 3} Durable Object call per region per scrape`);
  });

  it("without regions the probe runs in the calling isolate (no Prober call)", async () => {
    const c = countingEnv();
    const text = await (await app.fetch(new Request("http://localhost/probe?target=127.0.0.1:1&module=tcp_connect"), c.env)).text();
    expect(c.calls).toEqual([]);
    expect(text).toMatch(/^probe_success 0$/m);
  });

  it("a prober counts its subrequests: one connect for tcp, one fetch per HTTP hop", async () => {
    const tcp = await proberStub(env, "weur").probe("tcp_connect", "127.0.0.1:1", 5, "weur");
    expect(tcp.subrequests).toBe(1);
    const http = await proberStub(env, "weur").probe("http_2xx", "http://127.0.0.1:1/", 5, "weur");
    expect(http.subrequests).toBe(1);
    expect(http.success).toBe(false);
    console.log(`cost probe: ${tcp.subrequests} subrequest per tcp probe, ${http.subrequests} per HTTP probe without redirects`);
  });

  it("client mistakes are 400s naming the problem", async () => {
    const bad = async (q: string) => {
      const res = await SELF.fetch(`http://localhost/probe?${q}`);
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    expect(await bad("module=http_2xx")).toEqual([400, "Target parameter is missing"]);
    expect(await bad("target=x&module=nope")).toEqual([400, 'Unknown module "nope"']);
    expect((await bad("target=x&region=mars"))[1]).toMatch(/^invalid parameter "region": unknown region "mars"/);
  });

  it("BLACKBOX_CONFIG replaces the bundled modules; an invalid one is a 500 naming file and line", async () => {
    const custom = { ...env, BLACKBOX_CONFIG: "modules:\n  mine:\n    prober: tcp\n", BLACKBOX_CONFIG_FILE: "my.yml" } as Env;
    expect((await app.fetch(new Request("http://localhost/probe?target=127.0.0.1:1&module=mine"), custom)).status).toBe(200);
    const broken = { ...env, BLACKBOX_CONFIG: "modules:\n  ping:\n    prober: icmp\n", BLACKBOX_CONFIG_FILE: "my.yml" } as Env;
    const res = await app.fetch(new Request("http://localhost/probe?target=x&module=ping"), broken);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(/my\.yml:3: prober "icmp" is not supported on Cloudflare Workers/);
  });
});

describe("PROBE_TOKEN", () => {
  it("closes /probe to callers without the token; the scheduler's in-process scrapes pass", async () => {
    const e = { ...env, PROBE_TOKEN: "p-secret" } as Env;
    const url = "http://localhost/probe?target=127.0.0.1:1&module=tcp_connect";
    expect((await app.fetch(new Request(url), e)).status).toBe(401);
    expect((await app.fetch(new Request(`${url}&token=nope`), e)).status).toBe(401);
    expect((await app.fetch(new Request(`${url}&token=p-secret`), e)).status).toBe(200);
    expect((await app.fetch(new Request(url, { headers: { authorization: "Bearer p-secret" } }), e)).status).toBe(200);
    expect((await app.fetch(new Request(url), { ...e, SELF_SCRAPE: "true" } as Env)).status).toBe(200);
  });
});

describe("/heartbeat in workerd", () => {
  it("records a ping as the group's push_time_seconds with its period", async () => {
    expect((await SELF.fetch("http://localhost/heartbeat/cron-a?period=15m", { method: "POST" })).status).toBe(200);
    const text = await (await SELF.fetch("http://localhost/pushgateway/metrics")).text();
    expect(text).toMatch(/^push_time_seconds\{instance="",job="heartbeat",name="cron-a"\} \d/m);
    expect(text).toMatch(/^pyrometer_heartbeat_period_seconds\{instance="",job="heartbeat",name="cron-a"\} 900$/m);
  });

  it("requires HEARTBEAT_TOKEN when it is set", async () => {
    const e = { ...env, HEARTBEAT_TOKEN: "s3cret" } as Env;
    expect((await app.fetch(new Request("http://localhost/heartbeat/cron-b"), e)).status).toBe(401);
    expect((await app.fetch(new Request("http://localhost/heartbeat/cron-b?token=wrong"), e)).status).toBe(401);
    expect((await app.fetch(new Request("http://localhost/heartbeat/cron-b?token=s3cret"), e)).status).toBe(200);
    expect((await app.fetch(new Request("http://localhost/heartbeat/cron-b", { headers: { authorization: "Bearer s3cret" } }), e)).status).toBe(200);
  });
});
