/**
 * @module
 * Storage benchmarks: head append and select throughput, XOR chunk density
 * on the real node_exporter dataset (Prometheus stores it in 1.875 B/sample
 * of chunk file), and heap per active series.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { BenchCase, BenchFigure } from "./harness.ts";
import type { Labels } from "../../shared/labels/labels.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { Matcher } from "../../shared/labels/matcher.ts";
import { Head } from "../../shared/tsdb/head.ts";
import { writeBlock } from "../../shared/tsdb/block/index.ts";
import { chunkFileBytes } from "../../shared/tsdb/block/chunk-file.ts";
import { nextCutRange } from "../../shared/tsdb/time-bounds.ts";
import type { SeriesData } from "../../shared/tsdb/querier.ts";
import { NODE_EXPORTER_DATASET } from "../fixtures/paths.ts";
import { CHECKPOINT_SCRAPES, FileRows } from "./stored-head.ts";

const DATASET = NODE_EXPORTER_DATASET;

/** Scrape-like label sets: a metric name, job, instance and a couple of dimensions. */
function makeLabels(i: number): Labels {
  return labelsFromRecord({
    __name__: `metric_${i % 500}_total`,
    job: `job_${i % 7}`,
    instance: `host-${Math.floor(i / 500)}.example.org:9100`,
    cpu: String(i % 16),
    mode: ["idle", "user", "system", "iowait"][i % 4]!,
  });
}

/** One scrape of n series at time t: realistic counters, gauges and constants. */
function scrape(labels: Labels[], t: number, k: number): SeriesData[] {
  return labels.map((ls, i) => {
    const v = new Float64Array(1);
    v[0] = i % 3 === 0 ? 1 : i % 3 === 1 ? k * (i + 1) : Math.round(Math.sin(k + i) * 1000) / 10;
    return { labels: ls, t: Float64Array.of(t), v };
  });
}

function appendThroughput(): BenchFigure[] {
  const SERIES = 1000;
  const SCRAPES = 2000;
  const labels = Array.from({ length: SERIES }, (_, i) => makeLabels(i));
  // One batch whose sample arrays are refilled per scrape: millions of prebuilt typed arrays would measure the GC.
  const batch = scrape(labels, 1_700_000_000_000, 0);
  const head = new Head();
  head.appendBatch(batch); // series creation is not part of the steady state
  // CPU time rather than wall time: the bench machine is shared, and waiting for a core is not our cost.
  const cpu0 = process.cpuUsage();
  let accepted = 0;
  for (let k = 1; k < SCRAPES; k++) {
    const next = scrape(labels, 1_700_000_000_000 + k * 15_000, k);
    for (let i = 0; i < SERIES; i++) {
      batch[i]!.t[0] = next[i]!.t[0]!;
      batch[i]!.v[0] = next[i]!.v[0]!;
    }
    accepted += head.appendBatch(batch).accepted;
  }
  const cpu = process.cpuUsage(cpu0);
  const secs = (cpu.user + cpu.system) / 1e6;
  if (accepted !== SERIES * (SCRAPES - 1)) throw new Error(`append bench: accepted ${accepted}`);
  return [{ name: "head_append_samples_per_s", value: Math.round(accepted / secs), unit: "samples/s", note: `${SCRAPES - 1} batches of ${SERIES} series, labels re-sent each batch; per CPU second` }];
}

/**
 * Decoding throughput of select() over a head of many series, as a PromQL
 * range query reads it: all series, and one series at a time (a dashboard
 * panel), with every chunk in memory and with the closed chunks checkpointed
 * out of the heap and read back (as the Durable Object runs).
 */
async function selectThroughput(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  for (const stored of [false, true]) {
    const { head, rows } = fillHead(10_000, 240, stored);
    const all = { start: -Infinity, end: Infinity };
    const suffix = stored ? "_stored" : "";
    const where = stored ? "closed chunks read back from checkpoint rows in a file" : "every chunk in memory";
    // Untimed first: the first layout measured must not pay for the JIT.
    await head.select([], all);
    let samples = 0;
    let cpu0 = process.cpuUsage();
    for (let k = 0; k < 5; k++) for (const s of await head.select([], all)) samples += s.t.length;
    out.push({ name: `head_select_samples_per_s${suffix}`, value: Math.round(samples / cpuSeconds(cpu0)), unit: "samples/s", note: `select of all 10000 series × 240 samples, sorted by labels, ${where}; per CPU second` });
    const selectors = Array.from({ length: 2000 }, (_, i) => makeLabels(i * 5).map((l) => new Matcher("=", l.name, l.value)));
    for (const ms of selectors.slice(0, 200)) await head.select(ms, all);
    samples = 0;
    cpu0 = process.cpuUsage();
    for (const ms of selectors) for (const s of await head.select(ms, all)) samples += s.t.length;
    out.push({ name: `head_select_one_series_per_s${suffix}`, value: Math.round(2000 / cpuSeconds(cpu0)), unit: "selects/s", note: `2000 selects of one series by all its labels (${samples / 2000} samples each), ${where}; per CPU second` });
    rows?.close();
  }
  return out;
}

function cpuSeconds(from: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(from);
  return (cpu.user + cpu.system) / 1e6;
}

/** Parses `name{a="b",...} value ts` lines, the dataset's format (see its README). */
function parseDataset(): SeriesData[] {
  const text = gunzipSync(readFileSync(DATASET)).toString("utf8");
  const out: SeriesData[] = [];
  let key = "";
  let ts: number[] = [];
  let vs = new Float64Array(512);
  const flush = () => {
    if (ts.length > 0) out.push({ labels: parseSeries(key), t: Float64Array.from(ts), v: vs.slice(0, ts.length) });
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const sp2 = line.lastIndexOf(" ");
    const sp1 = line.lastIndexOf(" ", sp2 - 1);
    const k = line.slice(0, sp1);
    if (k !== key) {
      flush();
      key = k;
      ts = [];
    }
    if (ts.length === vs.length) {
      const next = new Float64Array(vs.length * 2);
      next.set(vs);
      vs = next;
    }
    vs[ts.length] = parseValue(line.slice(sp1 + 1, sp2));
    ts.push(Number(line.slice(sp2 + 1)));
  }
  flush();
  return out;
}

function parseValue(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  const v = Number(s);
  if (Number.isNaN(v) && s !== "NaN") throw new Error(`dataset: bad value ${JSON.stringify(s)}`);
  return v;
}

function parseSeries(s: string): Labels {
  const brace = s.indexOf("{");
  const rec: Record<string, string> = { __name__: brace < 0 ? s : s.slice(0, brace) };
  if (brace < 0) return labelsFromRecord(rec);
  let i = brace + 1;
  while (s[i] !== "}") {
    const eq = s.indexOf("=", i);
    const name = s.slice(i, eq);
    let value = "";
    let j = eq + 2;
    for (; s[j] !== '"'; j++) {
      if (s[j] === "\\") {
        j++;
        value += s[j] === "n" ? "\n" : s[j];
      } else value += s[j];
    }
    rec[name] = value;
    i = s[j + 1] === "," ? j + 2 : j + 1;
  }
  return labelsFromRecord(rec);
}

function chunkDensity(): BenchFigure[] {
  const data = parseDataset();
  const head = new Head();
  const r = head.appendBatch(data);
  const samples = data.reduce((n, s) => n + s.t.length, 0);
  if (r.accepted !== samples) throw new Error(`chunk bench: ${samples - r.accepted} samples refused`);
  let raw = 0;
  let file = 8; // segment file header: magic, version, padding
  let chunks = 0;
  for (const s of head.dirtySeries()) {
    for (const c of s.chunks) {
      raw += c.bytes.length;
      file += chunkFileBytes(c.bytes.length);
      chunks++;
    }
  }
  const note = `${data.length} series, ${samples} samples, ${chunks} chunks`;
  return [
    { name: "chunk_bytes_per_sample", value: raw / samples, unit: "B/sample", note: `XOR chunk data; ${note}` },
    { name: "chunk_file_bytes_per_sample", value: file / samples, unit: "B/sample", note: `as a block chunk file (Prometheus: 1.875); ${note}` },
  ];
}

function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Heap plus array-buffer memory after garbage has really gone (some is freed only after a turn of the event loop). */
async function settledMemory(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * A separate function so the input batches are not kept alive by the
 * suspended async caller's registers. With `stored`, checkpoints every
 * CHECKPOINT_SCRAPES scrapes move closed chunks out of the heap, as the
 * Durable Object does.
 */
function fillHead(series: number, samples: number, stored = false): { head: Head; rows?: FileRows } {
  const head = new Head();
  const rows = stored ? new FileRows(head) : undefined;
  const labels = Array.from({ length: series }, (_, i) => makeLabels(i));
  for (let k = 0; k < samples; k++) {
    head.appendBatch(scrape(labels, 1_700_000_000_000 + k * 15_000, k));
    if (k % CHECKPOINT_SCRAPES === CHECKPOINT_SCRAPES - 1) rows?.checkpoint(head);
  }
  return { head, rows };
}

/**
 * Heap per series of a head holding `samples` 15 s samples for each of
 * `series` series, checkpointed as the object does; with `cut`, also the heap
 * while the oldest 2 h are cut into a block (the chunks read back and the
 * block's files held at once, as the object's flush holds them).
 */
async function bytesPerSeries(name: string, series: number, samples: number, cut?: string): Promise<BenchFigure[]> {
  const gc = getGc();
  const before = await settledMemory(gc);
  const { head, rows } = fillHead(series, samples, true);
  head.markClean(); // the Durable Object checkpoints and clears the dirty set regularly
  const after = await settledMemory(gc);
  const st = head.stats();
  if (st.numSeries !== series || st.numSamples !== series * samples) throw new Error("head memory bench: unexpected stats");
  const out: BenchFigure[] = [];
  if (cut !== undefined) {
    const { start, end } = nextCutRange(st.minTime);
    const block = writeBlock(head.iterateChunksInRange(start, end), { minTime: start, maxTime: end, chunkFileBytes: head.chunkFileBytesInRange(start, end) });
    const during = await settledMemory(gc);
    let blockBytes = 0;
    for (const f of block.files.values()) blockBytes += f.length;
    out.push({ name: cut, value: Math.round((during - before) / series), unit: "B/series", note: `the head above holding the block of its oldest 2 h (${block.stats.numSamples / series} samples a series) as the object's flush writes it (chunks read back series by series): ${Math.round(blockBytes / series)} B of block files a series` });
  }
  const chunkBytes = head.chunksInRange(-Infinity, Infinity).reduce((n, s) => n + s.chunks.reduce((m, c) => m + c.bytes.length, 0), 0);
  rows!.close();
  out.unshift({
    name,
    value: Math.round((after - before) / series),
    unit: "B/series",
    note: `${series} series × ${samples} samples (${st.numChunks} chunks), 5 labels, checkpointed every ${CHECKPOINT_SCRAPES} scrapes; chunk data ${Math.round(chunkBytes / series)} B, not all in the heap; stats().approxBytes/series ${Math.round(st.approxBytes / series)}`,
  });
  return out;
}

async function headBytesPerSeries(): Promise<BenchFigure[]> {
  // The peak first, at the shard size it sizes: a heap the larger cases leave behind would skew it
  // (run each figure alone with --only for the cleanest baseline).
  return [
    // The peak: a block is cut once the head spans more than 3 h (1.5 block ranges).
    ...(await bytesPerSeries("head_bytes_per_series_3h", 30_000, 721, "head_bytes_per_series_3h_block_cut")),
    // A full 2 h block range: four closed chunks and an open one per series.
    ...(await bytesPerSeries("head_bytes_per_series_2h", 10_000, 481)),
    ...(await bytesPerSeries("head_bytes_per_series", 100_000, 30)),
  ];
}

/** A separate function, as fillHead: the parsed dataset must not stay reachable from the caller. */
function fillHeadFromDataset(parsed: SeriesData[], replicas: number): { head: Head; rows: FileRows; samples: number } {
  const data = replicate(parsed, replicas);
  const head = new Head();
  const rows = new FileRows(head);
  const samples = data.reduce((n, s) => n + s.t.length, 0);
  // In windows of CHECKPOINT_SCRAPES scrapes at 15 s, a checkpoint after each, as the object runs.
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const s of data) {
    t0 = Math.min(t0, s.t[0]!);
    t1 = Math.max(t1, s.t[s.t.length - 1]!);
  }
  const window = CHECKPOINT_SCRAPES * 15_000;
  let accepted = 0;
  for (let from = t0; from <= t1; from += window) {
    const batch: SeriesData[] = [];
    for (const s of data) {
      const i = lowerBound(s.t, from);
      const j = lowerBound(s.t, from + window);
      if (j > i) batch.push({ labels: s.labels, t: s.t.subarray(i, j), v: s.v.subarray(i, j) });
    }
    accepted += head.appendBatch(batch).accepted;
    rows.checkpoint(head);
  }
  if (accepted !== samples) throw new Error("head memory bench: dataset samples refused");
  head.markClean();
  return { head, rows, samples };
}

/**
 * The dataset as if scraped from `n` hosts: each copy's `instance` label
 * names another host (the samples are the same), as a shard of many
 * node_exporter targets holds them. Label strings are fresh copies, as an
 * append request's are, so the head's share of them is measured.
 */
function replicate(data: SeriesData[], n: number): SeriesData[] {
  const out: SeriesData[] = [];
  for (let k = 0; k < n; k++) {
    for (const s of data) {
      const labels = (JSON.parse(JSON.stringify(s.labels)) as { name: string; value: string }[]).map((l) => (n > 1 && l.name === "instance" ? { name: l.name, value: `${l.value}-${k}` } : l));
      out.push({ ...s, labels });
    }
  }
  return out;
}

function lowerBound(t: Float64Array, x: number): number {
  let i = 0;
  while (i < t.length && t[i]! < x) i++;
  return i;
}

/**
 * Heap per series of a head holding the real node_exporter dataset (80 min at
 * 15 s), and that figure carried to the 3 h peak with the dataset's own chunk
 * density for the 400 more samples a series then holds.
 */
async function headBytesPerSeriesReal(): Promise<BenchFigure[]> {
  return [...(await headBytesPerSeriesNode(1, "")), ...(await headBytesPerSeriesNode(20, "_x20"))];
}

interface NodeFill {
  perSeries: number;
  numSeries: number;
  approxBytes: number;
  perSample: number;
  samples: number;
}

/**
 * One fill, in a function of its own: its head must be unreachable once it
 * returns (see fillHead). The dataset is parsed before the baseline and kept
 * alive past the second reading, so its text and garbage are in neither.
 */
async function measureNodeFill(gc: () => void, parsed: SeriesData[], replicas: number): Promise<NodeFill> {
  const before = await settledMemory(gc);
  const { head, rows, samples } = fillHeadFromDataset(parsed, replicas);
  const after = await settledMemory(gc);
  const st = head.stats();
  const perSample = head.chunksInRange(-Infinity, Infinity).reduce((n, s) => n + s.chunks.reduce((k, c) => k + c.bytes.length, 0), 0) / samples;
  rows.close();
  if (parsed.length === 0) throw new Error("unreachable: keeps the dataset alive until here");
  return { perSeries: (after - before) / st.numSeries, numSeries: st.numSeries, approxBytes: st.approxBytes, perSample, samples };
}

async function headBytesPerSeriesNode(replicas: number, suffix: string): Promise<BenchFigure[]> {
  const gc = getGc();
  // The figure moves with the heap's baseline between fills (~0.3 MB is 300 B
  // a series at 964 series): the median of several.
  const runs = replicas === 1 ? 5 : 3;
  const perSeriesRuns: number[] = [];
  let m: NodeFill | undefined;
  const parsed = parseDataset();
  for (let r = 0; r < runs; r++) {
    m = await measureNodeFill(gc, parsed, replicas);
    perSeriesRuns.push(m.perSeries);
  }
  const perSeries = [...perSeriesRuns].sort((a, b) => a - b)[runs >> 1]!;
  const samplesPerSeries = m!.samples / m!.numSeries;
  // Closed chunks leave the heap at the next checkpoint; what a series keeps of
  // each is its entry in the chunk list (4 doubles). The open chunk and the
  // chunks closed since the last checkpoint are in the 80 min figure already.
  const moreChunks = (721 - samplesPerSeries) / 120;
  const peak = perSeries + moreChunks * 32;
  const spread = runs > 1 ? `, median of ${runs} fills (${perSeriesRuns.map(Math.round).join(", ")})` : "";
  const note = `${m!.numSeries} series × ${samplesPerSeries.toFixed(0)} samples of node-exporter-80m${replicas > 1 ? ` as from ${replicas} hosts` : ""}, checkpointed every ${CHECKPOINT_SCRAPES} scrapes${spread}, ${m!.perSample.toFixed(3)} B/sample of chunk data; stats().approxBytes/series ${Math.round(m!.approxBytes / m!.numSeries)}`;
  return [
    { name: `head_bytes_per_series_node${suffix}_80m`, value: Math.round(perSeries), unit: "B/series", note },
    { name: `head_bytes_per_series_node${suffix}_3h`, value: Math.round(peak), unit: "B/series", note: `80 min measured + ${moreChunks.toFixed(1)} more closed chunks × 32 B of bookkeeping (their bytes are in checkpoint rows); ${note}` },
  ];
}

export default [
  { names: ["head_append_samples_per_s"], run: appendThroughput },
  { names: ["head_select_samples_per_s", "head_select_one_series_per_s", "head_select_samples_per_s_stored", "head_select_one_series_per_s_stored"], run: selectThroughput },
  { names: ["chunk_bytes_per_sample", "chunk_file_bytes_per_sample"], run: chunkDensity },
  { names: ["head_bytes_per_series", "head_bytes_per_series_2h", "head_bytes_per_series_3h", "head_bytes_per_series_3h_block_cut"], run: headBytesPerSeries },
  { names: ["head_bytes_per_series_node_80m", "head_bytes_per_series_node_3h", "head_bytes_per_series_node_x20_80m", "head_bytes_per_series_node_x20_3h"], run: headBytesPerSeriesReal },
] satisfies BenchCase[];
