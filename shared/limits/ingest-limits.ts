/**
 * @module
 * Limits every ingest path (import, remote write, Pushgateway push, scrape)
 * applies before anything reaches a head shard, so that no input can crash
 * the runtime, overflow a WAL row, or be accepted into memory but not be
 * durable. Names follow Prometheus's scrape limits (label_limit,
 * label_name_length_limit, label_value_length_limit) and Mimir's
 * creation_grace_period; each is set by a Worker variable of the same name
 * in upper case (docs/compatibility.md, "Ingest limits").
 */
import type { Labels } from "../labels/labels.ts";
import { METRIC_NAME, seriesToString } from "../labels/labels.ts";
import { parseDuration, formatDuration } from "../promql/duration.ts";
import { capText, quoteCapped } from "../format/cap-text.ts";

export { capText, quoteCapped };

export interface IngestLimits {
  /** Samples more than this far (ms) ahead of the wall clock are out of bounds. */
  futureGraceMs: number;
  /** Largest request body (bytes) on an ingest endpoint, compressed as sent. */
  maxRequestBytes: number;
  /** Largest decompressed body (bytes) of a gzip or snappy request. */
  maxDecodedBytes: number;
  /** Most labels in one series, `__name__` included. */
  labelLimit: number;
  /** Longest label name, in bytes. */
  labelNameLengthLimit: number;
  /** Longest label value (the metric name included), in bytes. */
  labelValueLengthLimit: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze({
  futureGraceMs: 10 * 60_000,
  maxRequestBytes: 32 * 1024 * 1024,
  maxDecodedBytes: 64 * 1024 * 1024,
  labelLimit: 256,
  labelNameLengthLimit: 1024,
  labelValueLengthLimit: 65536,
});

/**
 * A series' labels, JSON-encoded, must leave room in one 2 MB Durable Object
 * SQLite row (the WAL row) for its samples; not configurable.
 */
export const MAX_SERIES_LABEL_BYTES = 1024 * 1024;

/** The Worker variables that set the limits, with how each is read. */
export const INGEST_LIMIT_VARS: ReadonlyArray<readonly [string, keyof IngestLimits, "duration" | "bytes" | "count"]> = [
  ["FUTURE_SAMPLE_GRACE", "futureGraceMs", "duration"],
  ["MAX_REQUEST_BYTES", "maxRequestBytes", "bytes"],
  ["MAX_DECODED_BYTES", "maxDecodedBytes", "bytes"],
  ["LABEL_LIMIT", "labelLimit", "count"],
  ["LABEL_NAME_LENGTH_LIMIT", "labelNameLengthLimit", "bytes"],
  ["LABEL_VALUE_LENGTH_LIMIT", "labelValueLengthLimit", "bytes"],
];

const UNITS: Record<string, number> = { "": 1, b: 1, kb: 1000, kib: 1024, mb: 1000 ** 2, mib: 1024 ** 2, gb: 1000 ** 3, gib: 1024 ** 3 };

function parseValue(raw: string, kind: "duration" | "bytes" | "count"): number {
  const s = raw.trim();
  if (kind === "duration") return parseDuration(s);
  const m = /^(\d+)\s*([a-z]*)$/i.exec(s);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || (kind === "count" && m[2] !== "")) {
    throw new Error(kind === "count" ? `not a whole number: ${JSON.stringify(raw)}` : `not a size (e.g. 32MiB): ${JSON.stringify(raw)}`);
  }
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`out of range: ${JSON.stringify(raw)}`);
  return n;
}

/**
 * The limits from Worker variables (unset or empty: the default). Throws,
 * naming the variable, when one cannot be read: a limit silently ignored
 * would be worse than a refused request.
 */
export function ingestLimitsFromVars(vars: Readonly<Record<string, unknown>>): IngestLimits {
  const out: IngestLimits = { ...DEFAULT_INGEST_LIMITS };
  for (const [name, key, kind] of INGEST_LIMIT_VARS) {
    const raw = vars[name];
    if (typeof raw !== "string" || raw.trim() === "") continue;
    try {
      out[key] = parseValue(raw, kind);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  }
  return out;
}

function metricName(ls: Labels): string {
  for (const l of ls) if (l.name === METRIC_NAME) return quoteCapped(l.value);
  return '""';
}

const utf8 = new TextEncoder();

/** UTF-8 length without encoding when the string is short enough that it cannot matter. */
function byteLength(s: string, limit: number): number {
  return s.length * 3 <= limit ? s.length : utf8.encode(s).length;
}

/**
 * What is wrong with a series' labels under the limits, or undefined.
 * Messages are Prometheus's scrape-limit messages, values quoted capped.
 */
export function labelsLimitProblem(ls: Labels, limits: IngestLimits): string | undefined {
  if (ls.length > limits.labelLimit) {
    return `label_limit exceeded (metric: ${metricName(ls)}, number of labels: ${ls.length}, limit: ${limits.labelLimit})`;
  }
  for (const l of ls) {
    const n = byteLength(l.name, limits.labelNameLengthLimit);
    if (n > limits.labelNameLengthLimit) {
      return `label_name_length_limit exceeded (metric: ${metricName(ls)}, label name: ${quoteCapped(l.name)}, length: ${n}, limit: ${limits.labelNameLengthLimit})`;
    }
    const v = byteLength(l.value, limits.labelValueLengthLimit);
    if (v > limits.labelValueLengthLimit) {
      const what = l.name === METRIC_NAME ? "metric name" : `label name: ${quoteCapped(l.name)}, value`;
      return `label_value_length_limit exceeded (${what}: ${quoteCapped(l.value)}, length: ${v}, limit: ${limits.labelValueLengthLimit})`;
    }
  }
  return seriesLabelBytesProblem(ls);
}

/** Whether a series' labels fit the part of a WAL row a series may take (MAX_SERIES_LABEL_BYTES); not configurable. */
export function seriesLabelBytesProblem(ls: Labels): string | undefined {
  let total = 0;
  for (const l of ls) total += l.name.length + l.value.length;
  // JSON escaping can make a character 6 bytes; measure exactly only when that could matter.
  if (total * 6 <= MAX_SERIES_LABEL_BYTES) return undefined;
  const flat: string[] = [];
  for (const l of ls) flat.push(l.name, l.value);
  const bytes = utf8.encode(JSON.stringify(flat)).length;
  if (bytes <= MAX_SERIES_LABEL_BYTES) return undefined;
  return `labels of series ${metricName(ls)} take ${bytes} bytes encoded, more than the ${MAX_SERIES_LABEL_BYTES} a series may have (a WAL row is 2 MB)`;
}

/** The newest timestamp (ms) accepted at wall-clock time `nowMs`. */
export function maxValidTime(nowMs: number, limits: Pick<IngestLimits, "futureGraceMs">): number {
  return nowMs + limits.futureGraceMs;
}

/**
 * Prometheus's out-of-bounds error for a sample too far in the future
 * ("out of bounds: timestamp is too far in the future"), naming the series,
 * the timestamp and the bound.
 */
export function tooFarInFuture(ls: Labels, t: number, limits: Pick<IngestLimits, "futureGraceMs">): string {
  return `out of bounds: timestamp ${t} of series ${capText(seriesToString(ls), 200)} is too far in the future (more than ${formatDuration(limits.futureGraceMs)} after now; FUTURE_SAMPLE_GRACE)`;
}

/**
 * Applies the limits to a scrape job's own: the stricter of the two wins
 * (0 in a job means "no limit", as in Prometheus).
 */
export function withIngestLimits<T extends { labelLimit: number; labelNameLengthLimit: number; labelValueLengthLimit: number }>(job: T, limits: IngestLimits): T {
  const min = (a: number, b: number) => (a > 0 ? Math.min(a, b) : b);
  return {
    ...job,
    labelLimit: min(job.labelLimit, limits.labelLimit),
    labelNameLengthLimit: min(job.labelNameLengthLimit, limits.labelNameLengthLimit),
    labelValueLengthLimit: min(job.labelValueLengthLimit, limits.labelValueLengthLimit),
  };
}

/**
 * The first problem of a batch under the limits (labels, then samples too
 * far in the future), or undefined: what remote write checks before
 * appending anything.
 */
export function seriesBatchProblem(batch: readonly { labels: Labels; t: ArrayLike<number> }[], limits: IngestLimits, nowMs: number): string | undefined {
  const maxT = maxValidTime(nowMs, limits);
  for (const s of batch) {
    const problem = labelsLimitProblem(s.labels, limits);
    if (problem !== undefined) return problem;
    for (let i = 0; i < s.t.length; i++) if (s.t[i]! > maxT) return tooFarInFuture(s.labels, s.t[i]!, limits);
  }
  return undefined;
}
