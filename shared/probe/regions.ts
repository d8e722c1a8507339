/**
 * @module
 * Where probes run: Durable Object location hints. A job lists regions in
 * `params: {region: [weur, apac]}` (repeated or comma-separated values);
 * each region's results carry `region="<hint>"`.
 */

/** Cloudflare's Durable Object location hints. */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof REGIONS)[number];

/** The regions asked for, deduplicated in order; throws naming an unknown one. */
export function parseRegions(values: readonly string[]): Region[] {
  const out: Region[] = [];
  for (const v of values.flatMap((x) => x.split(","))) {
    const r = v.trim();
    if (r === "") continue;
    if (!(REGIONS as readonly string[]).includes(r)) throw new Error(`unknown region "${r}"; known: ${REGIONS.join(", ")}`);
    if (!out.includes(r as Region)) out.push(r as Region);
  }
  return out;
}
