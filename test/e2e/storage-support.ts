/**
 * @module
 * Helpers for the storage end-to-end tests: a deterministic import data set
 * (generated, never committed), range reads at raw resolution, and the local
 * wrangler CLI for reading D1 and R2 state the way an operator would.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const root = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

export interface ImportShape {
  metrics: number;
  seriesPerMetric: number;
  samples: number;
  stepMs: number;
  t0: number;
}

/** Padding that makes lines ~154 bytes on average, like 200 MB for 1.3 M samples. */
const PAD = "/srv/pyrometer/volumes/import-e2e";

/** A 32-bit mix of two integers (deterministic, spread well enough for test data). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The value of sample i of series s: NaN now and then, else integers,
 * three-decimal numbers or full-precision doubles over many magnitudes.
 */
export function sampleValue(s: number, i: number): number {
  const h = mix(s, i);
  if (h % 211 === 0) return NaN;
  switch (s % 3) {
    case 0:
      return i * (s + 1);
    case 1:
      return Math.round((h / 2 ** 32 - 0.3) * 1e9) / 1000;
    default:
      return (h / 2 ** 32 - 0.5) * 10 ** ((mix(i, s) % 12) - 4);
  }
}

export function metricName(m: number): string {
  return `pyro_import_m${m}`;
}

/** Series s as exposition label text (sorted by name, as the API returns them). */
export function seriesLabels(shape: ImportShape, s: number): Record<string, string> {
  return {
    __name__: metricName(Math.floor(s / shape.seriesPerMetric)),
    instance: `host-${String(s).padStart(4, "0")}.pyro-e2e.internal:9100`,
    job: "storage-import",
    path: `${PAD}/${s}`,
  };
}

function formatValue(v: number): string {
  return Number.isNaN(v) ? "NaN" : String(v);
}

/**
 * The data set as import bodies of about `bodyBytes` each, split on line
 * boundaries, series after series (as dumps and exports are ordered).
 */
export function* importBodies(shape: ImportShape, bodyBytes: number): Generator<{ body: string; samples: number }> {
  let lines: string[] = [];
  let bytes = 0;
  const total = shape.metrics * shape.seriesPerMetric;
  for (let s = 0; s < total; s++) {
    const ls = seriesLabels(shape, s);
    const prefix = `${ls.__name__}{instance="${ls.instance}",job="${ls.job}",path="${ls.path}"} `;
    for (let i = 0; i < shape.samples; i++) {
      const line = `${prefix}${formatValue(sampleValue(s, i))} ${shape.t0 + i * shape.stepMs}\n`;
      lines.push(line);
      bytes += line.length;
      if (bytes >= bodyBytes) {
        yield { body: lines.join(""), samples: lines.length };
        lines = [];
        bytes = 0;
      }
    }
  }
  if (lines.length > 0) yield { body: lines.join(""), samples: lines.length };
}

export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** A range query that must succeed. */
export async function queryRange(url: string, q: string, start: number, end: number, step: number): Promise<MatrixSeries[]> {
  const params = new URLSearchParams({ query: q, start: String(start / 1000), end: String(end / 1000), step: String(step / 1000) });
  const res = await fetch(`${url}/api/v1/query_range?${params}`);
  const text = await res.text();
  let body: { status: string; error?: string; data: { resultType: string; result: MatrixSeries[] } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`query_range ${q}: ${res.status} ${text.slice(0, 500)}`);
  }
  if (body.status !== "success") throw new Error(`query_range ${q}: ${res.status} ${body.error}`);
  return body.data.result;
}

/**
 * Reads every sample of the data set back at raw resolution and returns the
 * mismatches (at most `limit` described), so a failure says what differs.
 */
export async function verifyImported(url: string, shape: ImportShape, limit = 10): Promise<{ checked: number; problems: string[] }> {
  const problems: string[] = [];
  let checked = 0;
  const end = shape.t0 + (shape.samples - 1) * shape.stepMs;
  // Under Prometheus's 11,000 points per series.
  const span = 10_000 * shape.stepMs;
  for (let m = 0; m < shape.metrics; m++) {
    const got = new Map<string, [number, string][]>();
    for (let from = shape.t0; from <= end; from += span + shape.stepMs) {
      const to = Math.min(end, from + span);
      for (const r of await queryRange(url, `{__name__="${metricName(m)}"}`, from, to, shape.stepMs)) {
        got.set(r.metric.instance!, [...(got.get(r.metric.instance!) ?? []), ...r.values]);
      }
    }
    if (got.size !== shape.seriesPerMetric) problems.push(`${metricName(m)}: ${got.size} series, want ${shape.seriesPerMetric}`);
    for (let k = 0; k < shape.seriesPerMetric; k++) {
      const s = m * shape.seriesPerMetric + k;
      const values = got.get(seriesLabels(shape, s).instance);
      if (!values) continue;
      if (values.length !== shape.samples) problems.push(`series ${s}: ${values.length} samples, want ${shape.samples}`);
      for (let i = 0; i < Math.min(values.length, shape.samples); i++) {
        const [ts, str] = values[i]!;
        const want = sampleValue(s, i);
        const ok = ts * 1000 === shape.t0 + i * shape.stepMs && (Number.isNaN(want) ? str === "NaN" : Number(str) === want);
        if (!ok) problems.push(`series ${s} sample ${i}: got [${ts}, ${str}], want [${(shape.t0 + i * shape.stepMs) / 1000}, ${formatValue(want)}]`);
        else checked++;
      }
    }
    if (problems.length > limit) break;
  }
  return { checked, problems: problems.slice(0, limit) };
}

/** Runs the project's wrangler (Node 24 via process.execPath) against a local state folder. */
export async function wrangler(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [resolve(root, "node_modules/wrangler/bin/wrangler.js"), ...args], {
    cwd: root,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Rows of a SELECT on the local D1 database. */
export async function d1Select<T>(state: string, sql: string): Promise<T[]> {
  const out = await wrangler(["d1", "execute", "DB", "--local", "--persist-to", state, "--command", sql, "--json"]);
  const parsed = JSON.parse(out) as { results: T[] }[];
  return parsed.flatMap((p) => p.results);
}

/** Copies one object out of the local R2 bucket into a file. */
export async function r2Get(state: string, key: string, file: string): Promise<void> {
  await wrangler(["r2", "object", "get", `pyrometer-blocks/${key}`, "--local", "--persist-to", state, "--file", file]);
}
