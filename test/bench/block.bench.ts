/**
 * @module
 * Block benchmarks on the real node_exporter dataset written as one block
 * with the head's chunks: bytes per sample (Prometheus 2.42 needs 2.268 for
 * the whole block and 1.875 for its chunk file), write speed, and read speed
 * of the ranged-read BlockReader over bytes in memory.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { BenchCase, BenchFigure } from "./harness.ts";
import { timeIt, timeItAsync } from "./harness.ts";
import { labelsKey } from "../../shared/labels/labels.ts";
import { Matcher } from "../../shared/labels/matcher.ts";
import { parseFormat } from "../../shared/textparse/index.ts";
import { NODE_EXPORTER_DATASET } from "../fixtures/paths.ts";
import { Head } from "../../shared/tsdb/head.ts";
import type { SeriesData } from "../../shared/tsdb/querier.ts";
import { bytesRangeReader, openBlock, segmentFileName, writeBlock, type BlockReader, type BlockSeries, type RangeReader, type WrittenBlock } from "../../shared/tsdb/block/index.ts";

export const DATASET_PATH = NODE_EXPORTER_DATASET;
const TWO_HOURS = 7_200_000;

/** The dataset's samples grouped by series (its lines are sorted by series, then time). */
export function loadDataset(): SeriesData[] {
  const text = gunzipSync(readFileSync(DATASET_PATH));
  const out: SeriesData[] = [];
  let key = "";
  let cur: { labels: SeriesData["labels"]; t: number[]; v: Float64Array } | undefined;
  const flush = () => {
    if (cur !== undefined) out.push({ labels: cur.labels, t: Float64Array.from(cur.t), v: cur.v.slice(0, cur.t.length) });
  };
  parseFormat(text, "prometheus-text", (labels, value, t) => {
    if (t === undefined) throw new Error("dataset: sample without a timestamp");
    const k = labelsKey(labels);
    if (k !== key) {
      flush();
      key = k;
      cur = { labels, t: [], v: new Float64Array(512) };
    }
    const c = cur!;
    if (c.t.length === c.v.length) {
      const next = new Float64Array(c.v.length * 2);
      next.set(c.v);
      c.v = next;
    }
    c.v[c.t.length] = value;
    c.t.push(t);
  });
  flush();
  return out;
}

/** The dataset's chunks as the head cuts them, with the 2 h block range holding them. */
export function datasetChunks(data: readonly SeriesData[]): { series: BlockSeries[]; minTime: number; maxTime: number } {
  const head = new Head();
  head.appendBatch(data);
  const st = head.stats();
  const minTime = Math.floor(st.minTime / TWO_HOURS) * TWO_HOURS;
  const maxTime = minTime + TWO_HOURS;
  if (st.maxTime >= maxTime) throw new Error("dataset block: data spans more than one 2 h range");
  return { series: head.chunksInRange(minTime, maxTime), minTime, maxTime };
}

/** The dataset as the head would flush it: one block for the 2 h range holding it. */
export function datasetBlock(data: readonly SeriesData[]): WrittenBlock {
  const { series, minTime, maxTime } = datasetChunks(data);
  return writeBlock(series, { minTime, maxTime });
}

/** Opens a block held in memory; `onRead` sees every range request, as R2 would get them. */
function openInMemory(b: WrittenBlock, onRead?: (length: number) => void): Promise<BlockReader> {
  const file = (name: string): RangeReader => {
    const r = bytesRangeReader(b.files.get(name)!);
    return onRead === undefined ? r : { size: r.size, read: (off, len) => (onRead(len), r.read(off, len)) };
  };
  return openBlock(b.meta, { index: file("index"), chunks: (seg) => file(`chunks/${segmentFileName(seg)}`) });
}

function size(): BenchFigure[] {
  const { series, minTime, maxTime } = datasetChunks(loadDataset());
  const b = writeBlock(series, { minTime, maxTime });
  const ms = timeIt(() => void writeBlock(series, { minTime, maxTime })) * 1000;
  const st = b.stats;
  const n = st.numSamples;
  const note = `${st.numSeries} series, ${n} samples, ${st.numChunks} chunks`;
  return [
    { name: "block_bytes_per_sample", value: st.totalBytes / n, unit: "B/sample", note: `chunks + index + meta.json (Prometheus: 2.268); ${note}` },
    { name: "block_chunk_bytes_per_sample", value: st.chunkBytes / n, unit: "B/sample", note: `chunks/000001 (Prometheus: 1.875)` },
    { name: "block_index_bytes_per_sample", value: st.indexBytes / n, unit: "B/sample", note: `index (Prometheus: 0.391)` },
    { name: "block_write_samples_per_s", value: Math.round(n / (ms / 1000)), unit: "samples/s", note: `head chunks → block files in ${ms.toFixed(1)} ms` },
  ];
}

async function read(): Promise<BenchFigure[]> {
  const b = datasetBlock(loadDataset());
  const all = { start: b.meta.minTime, end: b.meta.maxTime - 1 };
  const openSecs = await timeItAsync(async () => void (await openInMemory(b)), 500);
  const block = await openInMemory(b);
  let series = 0;
  let samples = 0;
  const fullSecs = await timeItAsync(async () => {
    const got = await block.select([], all);
    series = got.length;
    samples = got.reduce((n, s) => n + s.t.length, 0);
  });
  if (series !== b.meta.stats.numSeries || samples !== b.meta.stats.numSamples) throw new Error(`read bench: got ${series} series, ${samples} samples`);
  const names = await block.labelValues("__name__", [], all);
  const perName = names.map((n) => [new Matcher("=", "__name__", n)]);
  const last10m = { start: b.meta.minTime + 4_200_000, end: b.meta.minTime + 4_800_000 };
  const byNameSecs = await timeItAsync(async () => {
    for (const ms of perName) await block.select(ms, last10m);
  });
  let requests = 0;
  let bytes = 0;
  const counted = await openInMemory(b, (len) => {
    requests++;
    bytes += len;
  });
  await counted.select([], { start: b.meta.minTime, end: b.meta.minTime }); // segment header, read once
  [requests, bytes] = [0, 0];
  for (const ms of perName) await counted.select(ms, last10m);
  return [
    { name: "block_select_requests_per_query", value: requests / perName.length, unit: "requests", note: `range reads per {__name__="…"} query over 10 min (R2 GETs); index opened` },
    { name: "block_select_bytes_per_query", value: Math.round(bytes / perName.length), unit: "B", note: `bytes read per such query, index ${b.stats.indexBytes} B and chunks ${b.stats.chunkBytes} B in all` },
    { name: "block_open_ms", value: openSecs * 1000, unit: "ms", note: "TOC, symbols and postings offset table" },
    { name: "block_read_series_per_s", value: Math.round(series / fullSecs), unit: "series/s", note: `select all, full range: ${series} series` },
    { name: "block_read_samples_per_s", value: Math.round(samples / fullSecs), unit: "samples/s", note: `select all, full range: ${samples} samples` },
    { name: "block_select_by_name_per_s", value: Math.round(perName.length / byNameSecs), unit: "queries/s", note: `{__name__="…"} over 10 min, each of ${perName.length} names` },
  ];
}

export default [
  { names: ["block_bytes_per_sample", "block_chunk_bytes_per_sample", "block_index_bytes_per_sample", "block_write_samples_per_s"], run: size },
  {
    names: ["block_select_requests_per_query", "block_select_bytes_per_query", "block_open_ms", "block_read_series_per_s", "block_read_samples_per_s", "block_select_by_name_per_s"],
    run: read,
  },
] satisfies BenchCase[];
