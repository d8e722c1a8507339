/**
 * @module
 * Splits an append batch into parts that each cross a Durable Object RPC:
 * workerd limits serialized RPC arguments to 32 MiB, and a big import (tens
 * of thousands of series) would exceed it in one call.
 */
import type { SeriesData } from "./querier.ts";

/** Parts stay well under the 32 MiB RPC limit, whatever the structured clone adds. */
export const MAX_RPC_BATCH_BYTES = 8 * 1024 * 1024;

/** A generous estimate of a series' serialized size: samples, label strings (UTF-16), per-object overhead. */
export function seriesRpcBytes(s: SeriesData): number {
  let n = 128 + 16 * s.t.length;
  for (const l of s.labels) n += 32 + 2 * (l.name.length + l.value.length);
  return n;
}

/** Consecutive parts of `batch`, each of at most `maxBytes` (a single larger series is a part of its own). */
export function splitForRpc(batch: readonly SeriesData[], maxBytes = MAX_RPC_BATCH_BYTES): SeriesData[][] {
  const parts: SeriesData[][] = [];
  let cur: SeriesData[] = [];
  let size = 0;
  for (const s of batch) {
    const b = seriesRpcBytes(s);
    if (cur.length > 0 && size + b > maxBytes) {
      parts.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(s);
    size += b;
  }
  if (cur.length > 0) parts.push(cur);
  return parts;
}
