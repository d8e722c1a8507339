/**
 * @module
 * `match[]` parameters: each is a series selector such as `up{job="x"}`,
 * parsed with the PromQL parser as Prometheus does.
 */
import { parseExpr } from "../promql/parser.ts";
import type { Matcher } from "../labels/matcher.ts";
import { BadParamError } from "./params.ts";

export function parseSeriesMatchers(selectors: string[]): Matcher[][] {
  return selectors.map((s) => {
    const e = parseExpr(s);
    if (e.type !== "VectorSelector") throw new BadParamError(`invalid parameter "match[]": ${s} is not a series selector`);
    return [...e.matchers];
  });
}
