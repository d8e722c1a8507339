/**
 * @module
 * The ingest limits (shared/limits) as this deployment sets them through
 * Worker variables; read once per set of variables.
 */
import type { Env } from "./env.ts";
import { ingestLimitsFromVars, DEFAULT_INGEST_LIMITS } from "../shared/limits/ingest-limits.ts";
import type { IngestLimits } from "../shared/limits/ingest-limits.ts";

const cache = new WeakMap<object, IngestLimits>();

/** The limits; throws (naming the variable) when one is set to something unreadable. */
export function ingestLimits(env: Env): IngestLimits {
  let l = cache.get(env);
  if (l === undefined) {
    l = ingestLimitsFromVars(env as unknown as Record<string, unknown>);
    cache.set(env, l);
  }
  return l;
}

/** As ingestLimits, but falls back to the defaults (logging why) where a throw would stop storage. */
export function ingestLimitsOrDefaults(env: Env): IngestLimits {
  try {
    return ingestLimits(env);
  } catch (e) {
    console.error(`ingest limits: ${(e as Error).message}; using the defaults`);
    return DEFAULT_INGEST_LIMITS;
  }
}
