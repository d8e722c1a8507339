/**
 * @module
 * `/probe`'s request handling, pure: parameters (target, module, region,
 * debug), the scrape timeout header, where each probe runs (here, or in one
 * object per region), and the exposition or debug page that comes back.
 */
import { TEXT_CONTENT_TYPE, formatFamilies } from "../exposition/format.ts";
import type { BlackboxConfig, ProbeModule } from "./config.ts";
import { ProbeMetrics, mergeFamilies } from "./metrics.ts";
import { parseRegions } from "./regions.ts";
import type { Region } from "./regions.ts";
import { debugPage } from "./run.ts";
import type { ProbeOutcome } from "./run.ts";

/** Runs probes: `local` in this isolate, `region` in that region's object. */
export interface ProbeExecutor {
  local(module: ProbeModule, target: string, scrapeTimeoutSeconds: number | undefined): Promise<ProbeOutcome>;
  region(region: Region, moduleName: string, target: string, scrapeTimeoutSeconds: number | undefined): Promise<ProbeOutcome>;
}

/** A client's mistake (HTTP 400). */
export class ProbeRequestError extends Error {
  override name = "ProbeRequestError";
}

/** A region whose object could not be reached still reports, as a failed probe. */
export function unreachableRegion(region: Region, e: unknown): ProbeOutcome {
  const m = new ProbeMetrics();
  m.set("probe_success", 0);
  m.set("probe_duration_seconds", 0);
  return { success: false, families: m.families({ region }), log: [`level=error msg="Prober in ${region} failed" err=${JSON.stringify(String(e))}`], subrequests: 0 };
}

export async function serveProbe(params: URLSearchParams, scrapeTimeoutHeader: string | undefined, config: BlackboxConfig, exec: ProbeExecutor): Promise<{ body: string; contentType: string }> {
  const moduleName = params.get("module") || "http_2xx";
  const target = params.get("target");
  if (!target) throw new ProbeRequestError("Target parameter is missing");
  const module = config.modules.get(moduleName);
  if (module === undefined) throw new ProbeRequestError(`Unknown module "${moduleName}"`);
  let regions: Region[];
  try {
    regions = parseRegions(params.getAll("region"));
  } catch (e) {
    throw new ProbeRequestError(`invalid parameter "region": ${(e as Error).message}`);
  }
  const t = scrapeTimeoutHeader === undefined ? NaN : Number(scrapeTimeoutHeader);
  const timeout = Number.isFinite(t) ? t : undefined;
  const outcomes =
    regions.length === 0
      ? [{ label: "", outcome: await exec.local(module, target, timeout) }]
      : await Promise.all(
          regions.map(async (r) => ({
            label: `region=${r}`,
            outcome: await exec.region(r, moduleName, target, timeout).catch((e: unknown) => unreachableRegion(r, e)),
          })),
        );
  const families = mergeFamilies(outcomes.map((o) => o.outcome.families));
  if (params.get("debug") === "true") return { body: debugPage(outcomes, module, families), contentType: "text/plain; charset=utf-8" };
  return { body: formatFamilies(families), contentType: TEXT_CONTENT_TYPE };
}
