/**
 * @module
 * Parsing of the Prometheus HTTP API's parameters: timestamps (RFC 3339 or
 * Unix seconds with fractions) and durations (Prometheus durations or float
 * seconds), with Prometheus's error wording.
 */
import { parseDuration } from "../promql/duration.ts";
import { capQuotedRuns } from "../format/cap-text.ts";

export class BadParamError extends Error {
  constructor(message: string) {
    // Parameters are echoed in quotes; a long one is cut (format/cap-text.ts).
    super(capQuotedRuns(message));
    this.name = "BadParamError";
  }
}

/** The minimum and maximum times the API accepts (Prometheus's MinTime/MaxTime, in ms). */
export const MIN_TIME_MS = -9223372036854;
export const MAX_TIME_MS = 9223372036854;

/** Parses a time parameter into ms since the epoch. */
export function parseTime(s: string, param: string): number {
  const f = Number(s);
  if (s.trim() !== "" && Number.isFinite(f)) return Math.round(f * 1000);
  // Prometheus accepts the formatted MinTime/MaxTime that clients such as Grafana send.
  if (s === "-292273086-05-16T16:47:06Z") return MIN_TIME_MS;
  if (s === "292277025-08-18T07:12:54.999999999Z") return MAX_TIME_MS;
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new BadParamError(`invalid parameter "${param}": cannot parse "${s}" to a valid timestamp`);
}

/** Parses a duration parameter (`15s`, `1m`, or `15.5` seconds) into ms. */
export function parseDurationParam(s: string, param: string): number {
  const f = Number(s);
  if (s.trim() !== "" && Number.isFinite(f)) {
    const ms = Math.round(f * 1000);
    if (Math.abs(ms) > Number.MAX_SAFE_INTEGER) throw new BadParamError(`invalid parameter "${param}": cannot parse "${s}" to a valid duration. It overflows int64`);
    return ms;
  }
  try {
    return parseDuration(s);
  } catch {
    throw new BadParamError(`invalid parameter "${param}": cannot parse "${s}" to a valid duration`);
  }
}
