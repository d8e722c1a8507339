/**
 * @module
 * Prober: one Durable Object per region, created with that region's
 * location hint, so a probe asked of it leaves Cloudflare from there. It
 * keeps no state; it only runs probes where it lives.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { runProbe } from "../../shared/probe/index.ts";
import type { ProbeOutcome, Region } from "../../shared/probe/index.ts";
import { loadBlackboxConfig } from "./load-config.ts";
import { workerIO } from "./io.ts";

export class Prober extends DurableObject<Env> {
  async probe(moduleName: string, target: string, scrapeTimeoutSeconds: number | undefined, region: Region): Promise<ProbeOutcome> {
    const module = loadBlackboxConfig(this.env).modules.get(moduleName);
    if (module === undefined) throw new Error(`Unknown module "${moduleName}"`);
    return runProbe(module, target, workerIO, { scrapeTimeoutSeconds, extraLabels: { region } });
  }
}

export function proberStub(env: Env, region: Region) {
  return env.PROBER.get(env.PROBER.idFromName(`region:${region}`), { locationHint: region });
}
