/**
 * @module
 * What one scrape appends, as Prometheus's scrape loop does: the exposed
 * samples with the target's labels (honor_labels or `exported_` renaming),
 * metric relabeling, limits, staleness markers for series that vanished, and
 * the synthetic `up` and `scrape_*` series. Pure: the caller fetches.
 */
import type { Labels } from "../labels/labels.ts";
import { labelsKey, METRIC_NAME } from "../labels/labels.ts";
import { LabelsBuilder } from "../relabel/builder.ts";
import { processBuilder } from "../relabel/relabel.ts";
import type { RelabelConfig } from "../relabel/config.ts";
import type { Appender } from "../tsdb/querier.ts";
import { STALE_NAN } from "../tsdb/querier.ts";
import { seriesLabelBytesProblem } from "../limits/ingest-limits.ts";
import { quoteCapped } from "../format/cap-text.ts";
import { ExpositionParser } from "../textparse/parser.ts";
import type { ExpositionFormat } from "../textparse/content-type.ts";
import type { MetricMetadata, MetricType } from "../textparse/family.ts";

/** The per-job settings the scrape loop needs (a subset of ScrapeConfig). */
export interface ScrapeLoopOptions {
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  extraScrapeMetrics: boolean;
  metricRelabelConfigs: readonly RelabelConfig[];
  scrapeTimeout: number;
  bodySizeLimit: number;
}

/** What a scrape produced before appending: a body to parse, or an error. */
export type ScrapeInput =
  | { ok: true; body: Uint8Array | string; format: ExpositionFormat }
  | { ok: false; error: string };

export interface ScrapeReport {
  up: boolean;
  error: string;
  samplesScraped: number;
  samplesPostRelabeling: number;
  seriesAdded: number;
  bodyBytes: number;
  /** HELP/TYPE/UNIT by metric family, from a successful scrape (the metadata APIs read it). */
  metadata: Map<string, MetricMetadata>;
}

/**
 * Per-target memory across scrapes: the series of the last successful
 * scrape, so vanished ones get a staleness marker.
 */
export class ScrapeCache {
  #last = new Map<string, Labels>();
  #added = 0;
  #changed = false;

  /** A cache holding the series of an earlier scrape (restored from storage). */
  static restore(series: readonly Labels[]): ScrapeCache {
    const c = new ScrapeCache();
    for (const ls of series) c.#last.set(labelsKey(ls), ls);
    return c;
  }

  /** The remembered series, for persisting. */
  snapshot(): Labels[] {
    return [...this.#last.values()];
  }

  /** Whether the last swap changed the remembered set (so it must be persisted again). */
  get changed(): boolean {
    return this.#changed;
  }

  get size(): number {
    return this.#last.size;
  }

  /** Staleness markers for every series of the last scrape (target removed). */
  markAllStale(app: Appender, t: number): void {
    for (const ls of this.#last.values()) app.append(ls, t, STALE_NAN);
    this.#changed = this.#last.size > 0;
    this.#last.clear();
  }

  /** Replaces the remembered set, returning the series of `prev` not in `next`. */
  swap(next: Map<string, Labels>): Labels[] {
    const gone: Labels[] = [];
    for (const [k, ls] of this.#last) if (!next.has(k)) gone.push(ls);
    const added = [...next.keys()].filter((k) => !this.#last.has(k)).length;
    this.#last = next;
    this.#added = added;
    this.#changed = added > 0 || gone.length > 0;
    return gone;
  }

  /** New series in the last swap (scrape_series_added). */
  get added(): number {
    return this.#added;
  }
}

/** Applies the target's labels to an exposed sample, as mutateSampleLabels does. */
export function mutateSampleLabels(lb: LabelsBuilder, target: Labels, honor: boolean): void {
  if (honor) {
    for (const l of target) if (!lb.has(l.name)) lb.set(l.name, l.value);
    return;
  }
  const conflicts: { name: string; value: string }[] = [];
  for (const l of target) {
    const existing = lb.get(l.name);
    if (existing !== "") conflicts.push({ name: l.name, value: existing });
    lb.set(l.name, l.value);
  }
  // Shorter names first, as Prometheus resolves them.
  conflicts.sort((a, b) => a.name.length - b.name.length);
  for (const c of conflicts) {
    // `exported_x`, then `exported_exported_x`, until the name is free.
    let name = "exported_" + c.name;
    while (lb.get(name) !== "") name = "exported_" + name;
    lb.set(name, c.value);
  }
}

function checkLabelLimits(ls: Labels, o: ScrapeLoopOptions): void {
  const name = ls.find((l) => l.name === METRIC_NAME)?.value ?? "";
  if (o.labelLimit > 0 && ls.length > o.labelLimit) {
    throw new Error(`label_limit exceeded (metric: ${name}, number of labels: ${ls.length}, limit: ${o.labelLimit})`);
  }
  for (const l of ls) {
    if (o.labelNameLengthLimit > 0 && l.name.length > o.labelNameLengthLimit) {
      throw new Error(`label_name_length_limit exceeded (metric: ${name}, label name: ${l.name}, length: ${l.name.length}, limit: ${o.labelNameLengthLimit})`);
    }
    if (o.labelValueLengthLimit > 0 && l.value.length > o.labelValueLengthLimit) {
      throw new Error(`label_value_length_limit exceeded (metric: ${name}, label name: ${l.name}, value: ${quoteCapped(l.value)}, length: ${l.value.length}, limit: ${o.labelValueLengthLimit})`);
    }
  }
  // Whatever the job's limits, a series must fit a WAL row.
  const tooBig = seriesLabelBytesProblem(ls);
  if (tooBig !== undefined) throw new Error(tooBig);
}

interface Parsed {
  labels: Labels;
  key: string;
  t: number;
  v: number;
  explicitTs: boolean;
}

/** Parses and labels the exposed samples; throws on malformed input or a limit. */
function collect(input: { body: Uint8Array | string; format: ExpositionFormat }, target: Labels, o: ScrapeLoopOptions, t: number) {
  const p = new ExpositionParser(input.body, input.format);
  const out: Parsed[] = [];
  const seen = new Set<string>();
  const lb = new LabelsBuilder();
  const metadata = new Map<string, MetricMetadata>();
  const meta = (name: string) => {
    let m = metadata.get(name);
    if (!m) metadata.set(name, (m = { type: "unknown" as MetricType, help: "", unit: "" }));
    return m;
  };
  let scraped = 0;
  for (let kind = p.next(); kind !== "eof"; kind = p.next()) {
    if (kind === "help") meta(p.metricName).help = p.text;
    else if (kind === "type") meta(p.metricName).type = p.type;
    else if (kind === "unit") meta(p.metricName).unit = p.text;
    if (kind !== "series") continue;
    scraped++;
    lb.reset(p.labels());
    mutateSampleLabels(lb, target, o.honorLabels);
    if (o.metricRelabelConfigs.length > 0 && !processBuilder(lb, o.metricRelabelConfigs)) continue;
    const ls = lb.labels();
    checkLabelLimits(ls, o);
    const key = labelsKey(ls);
    // A repeated series in one scrape is a duplicate sample: Prometheus keeps the first.
    if (seen.has(key)) continue;
    seen.add(key);
    const explicitTs = p.timestamp !== undefined;
    out.push({ labels: ls, key, t: o.honorTimestamps && explicitTs ? p.timestamp! : t, v: p.value, explicitTs });
  }
  if (o.sampleLimit > 0 && out.length > o.sampleLimit) throw new Error("sample limit exceeded");
  return { samples: out, scraped, metadata };
}

/**
 * Appends one scrape's samples, staleness markers and report series.
 * `t` is the scrape's start time (ms), `durationMs` how long the fetch took.
 */
export function appendScrape(
  app: Appender,
  cache: ScrapeCache,
  target: Labels,
  o: ScrapeLoopOptions,
  input: ScrapeInput,
  t: number,
  durationMs: number,
): ScrapeReport {
  const report: ScrapeReport = {
    up: false,
    error: "",
    samplesScraped: 0,
    samplesPostRelabeling: 0,
    seriesAdded: 0,
    bodyBytes: 0,
    metadata: new Map(),
  };
  let next = new Map<string, Labels>();
  if (input.ok) {
    report.bodyBytes = typeof input.body === "string" ? input.body.length : input.body.byteLength;
    try {
      const { samples, scraped, metadata } = collect(input, target, o, t);
      report.samplesScraped = scraped;
      report.metadata = metadata;
      report.samplesPostRelabeling = samples.length;
      for (const s of samples) {
        app.append(s.labels, s.t, s.v);
        if (!s.explicitTs || o.trackTimestampsStaleness) next.set(s.key, s.labels);
      }
      report.up = true;
    } catch (e) {
      report.error = (e as Error).message;
      next = new Map();
    }
  } else {
    report.error = input.error;
  }
  for (const gone of cache.swap(next)) app.append(gone, t, STALE_NAN);
  report.seriesAdded = report.up ? cache.added : 0;
  appendReport(app, target, o, report, t, durationMs);
  return report;
}

function appendReport(app: Appender, target: Labels, o: ScrapeLoopOptions, r: ScrapeReport, t: number, durationMs: number): void {
  const lb = new LabelsBuilder();
  const add = (name: string, v: number) => {
    lb.reset([{ name: METRIC_NAME, value: name }]);
    mutateSampleLabels(lb, target, false);
    app.append(lb.labels(), t, v);
  };
  add("up", r.up ? 1 : 0);
  add("scrape_duration_seconds", durationMs / 1000);
  add("scrape_samples_scraped", r.samplesScraped);
  add("scrape_samples_post_metric_relabeling", r.samplesPostRelabeling);
  add("scrape_series_added", r.seriesAdded);
  if (o.extraScrapeMetrics) {
    add("scrape_timeout_seconds", o.scrapeTimeout / 1000);
    add("scrape_sample_limit", o.sampleLimit);
    add("scrape_body_size_bytes", r.up ? r.bodyBytes : 0);
  }
}

/** Staleness markers for a target's report series, when the target goes away. */
export function appendReportStaleness(app: Appender, target: Labels, o: ScrapeLoopOptions, t: number): void {
  const names = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"];
  if (o.extraScrapeMetrics) names.push("scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes");
  const lb = new LabelsBuilder();
  for (const name of names) {
    lb.reset([{ name: METRIC_NAME, value: name }]);
    mutateSampleLabels(lb, target, false);
    app.append(lb.labels(), t, STALE_NAN);
  }
}
