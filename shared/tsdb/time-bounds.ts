/**
 * @module
 * Block cutting and retention decisions, anchored to the wall clock. The
 * newest sample alone must never decide them: one sample stamped far in the
 * future would make the head look hours long (everything cut into blocks)
 * and put every real block outside retention. So "now" for these decisions
 * is the newest data, but never later than the wall clock plus the grace
 * period for samples from the future.
 */

/** The head is cut into blocks of this range (Prometheus's 2h minimum block). */
export const BLOCK_RANGE_MS = 2 * 3600_000;

/** The newest time the storage may count as "now": its newest data, capped at the wall clock plus the grace. */
export function referenceTime(newestData: number, wallClockMs: number, futureGraceMs: number): number {
  return Math.min(newestData, wallClockMs + futureGraceMs);
}

export interface HeadSpan {
  numSamples: number;
  minTime: number;
  maxTime: number;
}

/**
 * Prometheus cuts a block once the head spans more than 1.5 block ranges;
 * the span ends at the reference time, not at a sample from the future.
 */
export function blockCutDue(head: HeadSpan, wallClockMs: number, futureGraceMs: number, range = BLOCK_RANGE_MS): boolean {
  if (head.numSamples === 0) return false;
  return referenceTime(head.maxTime, wallClockMs, futureGraceMs) - head.minTime > 1.5 * range;
}

/** The aligned range [start, end) a cut takes from the oldest end of the head. */
export function nextCutRange(headMinTime: number, range = BLOCK_RANGE_MS): { start: number; end: number } {
  const start = Math.floor(headMinTime / range) * range;
  return { start, end: start + range };
}

/**
 * Blocks whose data ends before this time are beyond retention: the
 * retention counted back from the newest data (Prometheus's rule), with that
 * "newest" capped at the wall clock plus the grace. Undefined when there is
 * no data at all.
 */
export function retentionCutoff(newestData: number, wallClockMs: number, retentionMs: number, futureGraceMs: number): number | undefined {
  if (!Number.isFinite(newestData)) return undefined;
  return referenceTime(newestData, wallClockMs, futureGraceMs) - retentionMs;
}
