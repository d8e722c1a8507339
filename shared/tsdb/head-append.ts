/**
 * @module
 * Prometheus's in-order append rules, shared by the head and the memory
 * storage so both refuse exactly the same samples.
 */
import type { AppendResult } from "./querier.ts";

/** What to do with one sample given the series' last sample. */
export type AppendVerdict = "append" | "ignore" | "outOfOrder" | "duplicate" | "tooOld";

const bits = new DataView(new ArrayBuffer(16));

/** Bitwise float equality: Prometheus compares math.Float64bits, so 0 ≠ -0 and NaN payloads matter. */
export function sameBits(a: number, b: number): boolean {
  if (a === b && a !== 0) return true;
  if (a === a && b === b && a !== b) return false;
  bits.setFloat64(0, a);
  bits.setFloat64(8, b);
  return bits.getUint32(0) === bits.getUint32(8) && bits.getUint32(4) === bits.getUint32(12);
}

/**
 * Classifies a sample as Prometheus's memSeries.appendable does: older than
 * the series' last sample is out of order, the same timestamp with the same
 * value bits is an exact duplicate that is silently dropped (federation
 * produces them), and the same timestamp with another value is refused.
 * `lastT` is -Infinity for a series without samples. Outside
 * [minValidTime, maxValidTime] is Prometheus's "out of bounds" (too old for
 * the head, or too far in the future), counted as tooOld.
 */
export function classifySample(lastT: number, lastV: number, t: number, v: number, minValidTime: number, maxValidTime = Infinity): AppendVerdict {
  if (t < minValidTime || t > maxValidTime) return "tooOld";
  if (t > lastT) return "append";
  if (t < lastT) return "outOfOrder";
  return sameBits(lastV, v) ? "ignore" : "duplicate";
}

export function emptyAppendResult(): AppendResult {
  return { accepted: 0, outOfOrder: 0, duplicate: 0, tooOld: 0 };
}

/** Counts a verdict; exact duplicates count as accepted because Prometheus reports no error for them. */
export function countVerdict(r: AppendResult, verdict: AppendVerdict): void {
  switch (verdict) {
    case "append":
    case "ignore": r.accepted++; break;
    case "outOfOrder": r.outOfOrder++; break;
    case "duplicate": r.duplicate++; break;
    case "tooOld": r.tooOld++; break;
  }
}

/** Throws unless t is a millisecond timestamp the chunk format can hold (an int64 that is exact in a double). */
export function checkTimestamp(t: number, where: string): void {
  if (!Number.isSafeInteger(t)) throw new Error(`${where}: timestamp ${t} is not an integer number of milliseconds`);
}
