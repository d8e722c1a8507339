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

function selectors(e: Expr, out: Expr[] = []): Expr[] {
  if (e.type === "VectorSelector") out.push(e);
  for (const c of children(e)) selectors(c, out);
  return out;
}

/** Parses `query` and throws a 403 ApiError unless every selector is `probe_success` or `probe_duration_seconds`. */
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
  return expr;
}
