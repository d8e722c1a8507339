/**
 * @module
 * `/probe?target=…&module=…[&region=…][&debug=true]`, blackbox_exporter's
 * endpoint. Without `region` the probe runs in this isolate (the caller's
 * location); with regions each runs in that region's Prober object and its
 * series carry `region`. Scrapes of Pyrometer's own address reach this
 * in-process (SELF_ADDRESS), like the Pushgateway's.
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { TEXT_CONTENT_TYPE, formatFamilies } from "../../shared/exposition/format.ts";
import { debugPage, mergeFamilies, parseRegions, runProbe } from "../../shared/probe/index.ts";
import type { ProbeOutcome, Region } from "../../shared/probe/index.ts";
import { ProbeMetrics } from "../../shared/probe/metrics.ts";
import { loadBlackboxConfig } from "./load-config.ts";
import { proberStub } from "./prober.ts";
import { workerIO } from "./io.ts";

/** A region whose object could not be reached still reports, as a failed probe. */
function unreachable(region: Region, e: unknown): ProbeOutcome {
  const m = new ProbeMetrics();
  m.set("probe_success", 0);
  m.set("probe_duration_seconds", 0);
  return { success: false, families: m.families({ region }), log: [`level=error msg="Prober in ${region} failed" err=${JSON.stringify(String(e))}`], subrequests: 0 };
}

export function probeRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.get("/probe", async (c) => {
    const p = new URL(c.req.url).searchParams;
    const moduleName = p.get("module") || "http_2xx";
    const target = p.get("target");
    if (!target) throw new ApiError("bad_data", "Target parameter is missing");
    let config;
    try {
      config = loadBlackboxConfig(c.env);
    } catch (e) {
      throw new ApiError("internal", `blackbox config is invalid: ${(e as Error).message}`);
    }
    const module = config.modules.get(moduleName);
    if (module === undefined) throw new ApiError("bad_data", `Unknown module "${moduleName}"`);
    let regions: Region[];
    try {
      regions = parseRegions(p.getAll("region"));
    } catch (e) {
      throw new ApiError("bad_data", `invalid parameter "region": ${(e as Error).message}`);
    }
    const header = c.req.header("x-prometheus-scrape-timeout-seconds");
    const scrapeTimeoutSeconds = header !== undefined && Number.isFinite(Number(header)) ? Number(header) : undefined;
    const outcomes =
      regions.length === 0
        ? [{ label: "", outcome: await runProbe(module, target, workerIO, { scrapeTimeoutSeconds }) }]
        : await Promise.all(
            regions.map(async (region) => ({
              label: `region=${region}`,
              outcome: await proberStub(c.env, region)
                .probe(moduleName, target, scrapeTimeoutSeconds, region)
                .catch((e: unknown) => unreachable(region, e)),
            })),
          );
    const families = mergeFamilies(outcomes.map((o) => o.outcome.families));
    if (p.get("debug") === "true") return c.text(debugPage(outcomes, module, families));
    return c.body(formatFamilies(families), 200, { "content-type": TEXT_CONTENT_TYPE });
  });

  return app;
}
