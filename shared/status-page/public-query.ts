/**
 * @module
 * What the public status page may ask without a read token: PromQL whose
 * every selector names one of the probe metrics it shows, so exposing
 * `/status?query=…` publishes the probe results and nothing else.
 */
import type { Expr } from "../promql/ast.ts";
import { children } from "../promql/ast.ts";
import { parseExpr } from "../promql/parser.ts";
import { ApiError } from "../api/errors.ts";

export const PUBLIC_STATUS_METRICS: readonly string[] = ["probe_success", "probe_duration_seconds"];

/**
 * What one unauthenticated query may cost: the page's own queries use one
 * selector, windows up to 90d, no subqueries and range queries over 7d, so
 * these bounds keep `/status` from being a way to run expensive PromQL.
 */
export const PUBLIC_STATUS_LIMITS = { maxSelectors: 10, maxWindowMs: 90 * 86400_000, maxRangeSpanMs: 8 * 86400_000 };

function refuse(message: string, e?: Expr & { pos: { start: number; end: number } }): never {
  throw new ApiError("bad_data", e ? `${message} (at ${e.pos.start}-${e.pos.end})` : message, 400);
}

/** Throws a 400 when a parsed public query is costlier than the page's own (see PUBLIC_STATUS_LIMITS). */
function checkCost(e: Expr): void {
  if (e.type === "SubqueryExpr") refuse("the public status page does not run subqueries", e);
  // info() reads target_info series that no selector names: it would publish their labels.
  if (e.type === "Call" && e.func.name === "info") refuse("the public status page does not run info()", e);
  if (e.type === "MatrixSelector") {
    if (e.rangeExpr !== undefined && e.range === 0) refuse("the public status page needs a fixed range", e);
    if (e.range > PUBLIC_STATUS_LIMITS.maxWindowMs) refuse("the public status page reads at most 90d per range selector", e);
  }
  for (const c of children(e)) checkCost(c);
}

/** Throws a 400 when a public range query spans more than PUBLIC_STATUS_LIMITS.maxRangeSpanMs. */
export function checkPublicStatusRange(startMs: number, endMs: number): void {
  if (endMs - startMs > PUBLIC_STATUS_LIMITS.maxRangeSpanMs) refuse('invalid parameter "end": the public status page\'s range queries span at most 8d');
}

function selectors(e: Expr, out: Expr[] = []): Expr[] {
  if (e.type === "VectorSelector") out.push(e);
  for (const c of children(e)) selectors(c, out);
  return out;
}

/**
 * Parses `query` and throws a 403 ApiError unless every selector is
 * `probe_success` or `probe_duration_seconds`, a 400 when it costs more than
 * PUBLIC_STATUS_LIMITS allow.
 */
export function parsePublicStatusQuery(query: string): Expr {
  const expr = parseExpr(query);
  const sels = selectors(expr);
  if (sels.length === 0) throw new ApiError("bad_data", "the status page's queries select probe_success or probe_duration_seconds", 403);
  for (const s of sels) {
    if (s.type !== "VectorSelector") continue;
    const name = s.matchers.find((m) => m.name === "__name__");
    if (!name || name.type !== "=" || !PUBLIC_STATUS_METRICS.includes(name.value)) {
      const at = `${s.pos.start}-${s.pos.end}`;
      throw new ApiError("bad_data", `the public status page may only query ${PUBLIC_STATUS_METRICS.join(" and ")} (selector at ${at})`, 403);
    }
  }
  if (sels.length > PUBLIC_STATUS_LIMITS.maxSelectors) refuse(`the public status page's queries use at most ${PUBLIC_STATUS_LIMITS.maxSelectors} selectors, not ${sels.length}`);
  checkCost(expr);
  return expr;
}
