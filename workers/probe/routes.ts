/**
 * @module
 * `/probe?target=…&module=…[&region=…][&debug=true]`, blackbox_exporter's
 * endpoint (handling in shared/probe/endpoint.ts). Without `region` the probe
 * runs in this isolate; with regions each runs in that region's Prober
 * object. Scrapes of Pyrometer's own address reach this in-process
 * (SELF_ADDRESS), like the Pushgateway's.
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { requestToken, sameToken } from "../../shared/api/token.ts";
import { ProbeRequestError, runProbe, serveProbe } from "../../shared/probe/index.ts";
import type { ProbeExecutor } from "../../shared/probe/index.ts";
import { loadBlackboxConfig } from "./load-config.ts";
import { proberStub } from "./prober.ts";
import { workerIO } from "./io.ts";

function executor(env: Env): ProbeExecutor {
  return {
    local: (module, target, timeout) => runProbe(module, target, workerIO, { scrapeTimeoutSeconds: timeout }),
    region: (region, moduleName, target, timeout) => proberStub(env, region).probe(moduleName, target, timeout, region),
  };
}

export function probeRoutes() {
  const app = new Hono<{ Bindings: Env }>();
  app.get("/probe", async (c) => {
    // Anyone who can reach a deployed Worker could make it probe any host; PROBE_TOKEN
    // closes that. The scheduler's own in-process scrapes are trusted.
    const token = c.env.PROBE_TOKEN;
    const given = requestToken(c.req.header("authorization"), c.req.query("token"));
    if (token && c.env.SELF_SCRAPE !== "true" && (given === undefined || !sameToken(given, token))) {
      throw new ApiError("not_acceptable", "missing or wrong probe token", 401);
    }
    let config;
    try {
      config = loadBlackboxConfig(c.env);
    } catch (e) {
      throw new ApiError("internal", `blackbox config is invalid: ${(e as Error).message}`);
    }
    try {
      const r = await serveProbe(new URL(c.req.url).searchParams, c.req.header("x-prometheus-scrape-timeout-seconds"), config, executor(c.env));
      return c.body(r.body, 200, { "content-type": r.contentType });
    } catch (e) {
      if (e instanceof ProbeRequestError) throw new ApiError("bad_data", e.message);
      throw e;
    }
  });
  return app;
}
