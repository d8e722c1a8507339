/**
 * @module
 * Decodes a remote-write 1.0 request body: a snappy block holding a
 * `prometheus.WriteRequest`. Read with the low-level protobuf wire reader, no
 * generated code. Sample values are copied as raw bytes into Float64Arrays so
 * staleness markers keep their NaN payload.
 *
 * Like Prometheus's receiver, a series with invalid labels (no `__name__`,
 * an empty name, repeated names, bad UTF-8) is dropped and reported in
 * `invalid` while the rest of the request is kept; a malformed body fails as
 * a whole with a ApiError (400).
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { uncompress } from "snappyjs";
import type { Label, Labels } from "../labels/labels.ts";
import { METRIC_NAME, labelsToString } from "../labels/labels.ts";
import type { SeriesData } from "../tsdb/querier.ts";
import { ApiError } from "../api/errors.ts";
import { copyWireDouble } from "./float-bytes.ts";
import { StringTable } from "./string-table.ts";
import type { MetadataType, MetricMetadata, WriteRequestData } from "./types.ts";
import { METADATA_TYPES } from "./types.ts";

export interface DecodeOptions {
  /** Largest accepted uncompressed size in bytes (default 64 MiB, half a Worker's memory). */
  maxDecodedBytes?: number;
}

const DEFAULT_MAX_DECODED = 64 * 1024 * 1024;

/** Decodes a snappy-compressed remote-write 1.0 body. Throws ApiError (400) when it is malformed. */
export function decodeWriteRequest(body: Uint8Array | ArrayBuffer, opts: DecodeOptions = {}): WriteRequestData {
  const max = opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED;
  const compressed = body instanceof Uint8Array ? body : new Uint8Array(body);
  let raw: Uint8Array;
  try {
    raw = uncompress(compressed, max);
  } catch (e) {
    throw new ApiError("bad_data", `invalid snappy-compressed body (${compressed.length} bytes): ${(e as Error).message}`);
  }
  return decodeWriteRequestProto(raw);
}

// Tags (field number << 3 | wire type) of the fields we read.
const LEN = WireType.LengthDelimited;
const TAG_TIMESERIES = (1 << 3) | LEN;
const TAG_METADATA = (3 << 3) | LEN;
const TAG_TS_LABEL = (1 << 3) | LEN;
const TAG_TS_SAMPLE = (2 << 3) | LEN;
const TAG_TS_EXEMPLAR = (3 << 3) | LEN;
const TAG_TS_HISTOGRAM = (4 << 3) | LEN;
const TAG_LABEL_NAME = (1 << 3) | LEN;
const TAG_LABEL_VALUE = (2 << 3) | LEN;
const TAG_SAMPLE_VALUE = (1 << 3) | WireType.Bit64;
const TAG_SAMPLE_TIMESTAMP = (2 << 3) | WireType.Varint;
const TAG_META_TYPE = (1 << 3) | WireType.Varint;
const TAG_META_NAME = (2 << 3) | LEN;
const TAG_META_HELP = (4 << 3) | LEN;
const TAG_META_UNIT = (5 << 3) | LEN;

/** One pass over a request: the reader, its bytes and the string cache. */
interface Ctx {
  r: BinaryReader;
  buf: Uint8Array;
  strings: StringTable;
  cols: Columns;
}

/** Decodes an uncompressed `prometheus.WriteRequest`. */
export function decodeWriteRequestProto(buf: Uint8Array): WriteRequestData {
  const out: WriteRequestData = { series: [], metadata: [], histograms: 0, exemplars: 0, invalid: [] };
  const c: Ctx = { r: new BinaryReader(buf), buf, strings: new StringTable(buf), cols: new Columns() };
  const r = c.r;
  try {
    while (r.pos < r.len) {
      const tag = readTag(r);
      if (tag === TAG_TIMESERIES) readTimeSeries(c, messageEnd(r, r.len, "TimeSeries"), out);
      else if (tag === TAG_METADATA) out.metadata.push(readMetadata(c, messageEnd(r, r.len, "MetricMetadata")));
      else r.skip(tag & 7, tag >>> 3);
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError("bad_data", `invalid protobuf WriteRequest at byte ${Math.min(r.pos, r.len)} of ${r.len}: ${(e as Error).message}`);
  }
  return out;
}

/** Reads a field tag without the tuple BinaryReader.tag() allocates. */
function readTag(r: BinaryReader): number {
  const tag = r.uint32();
  if (tag >>> 3 === 0 || (tag & 7) > 5) throw new Error(`illegal tag: field no ${tag >>> 3} wire type ${tag & 7}`);
  return tag;
}

/** Reads a length prefix and returns where the embedded message ends, checking it fits its parent. */
function messageEnd(r: BinaryReader, parentEnd: number, what: string): number {
  const start = r.pos;
  const len = r.uint32();
  const end = r.pos + len;
  if (end > parentEnd) {
    throw new ApiError("bad_data", `truncated protobuf WriteRequest: ${what} length at byte ${start} declares ${len} bytes but only ${parentEnd - r.pos} remain`);
  }
  return end;
}

function checkEnd(r: BinaryReader, end: number, what: string): void {
  if (r.pos !== end) throw new ApiError("bad_data", `invalid protobuf WriteRequest: a field of ${what} overruns its message end at byte ${end}`);
}

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** A string field. Bad UTF-8 gives undefined, or with `lenient` the text with U+FFFD in place of the bad bytes. */
function readString(c: Ctx, end: number, what: string, lenient = false): string | undefined {
  const stop = messageEnd(c.r, end, what);
  const start = c.r.pos;
  c.r.pos = stop;
  try {
    return c.strings.get(start, stop - start);
  } catch {
    return lenient ? lenientUtf8.decode(c.buf.subarray(start, stop)) : undefined;
  }
}

/**
 * Sample columns for a whole request: series get subarray views of shared
 * chunks instead of two fresh ArrayBuffers each, which dominated decoding.
 */
class Columns {
  t = new Float64Array(0);
  v = new Float64Array(0);
  vBytes = new Uint8Array(0);
  /** Where the series being decoded starts in the current chunk. */
  start = 0;
  /** Samples of the series being decoded so far. */
  n = 0;

  /** Makes room for one more sample of the current series, moving it to a fresh chunk when full. */
  reserve(): number {
    const i = this.start + this.n;
    if (i < this.t.length) return i;
    const size = Math.max(8192, this.n * 2);
    const t = new Float64Array(size);
    const v = new Float64Array(size);
    t.set(this.t.subarray(this.start, i));
    // Byte copy, not element copy, so NaN payloads are kept.
    const vBytes = new Uint8Array(v.buffer);
    vBytes.set(this.vBytes.subarray(this.start * 8, i * 8));
    this.t = t;
    this.v = v;
    this.vBytes = vBytes;
    this.start = 0;
    return this.n;
  }

  /** Ends the current series, returning its views. */
  take(): { t: Float64Array; v: Float64Array } {
    const end = this.start + this.n;
    const out = { t: this.t.subarray(this.start, end), v: this.v.subarray(this.start, end) };
    this.start = end;
    this.n = 0;
    return out;
  }

  /** Forgets the current series (it was invalid). */
  drop(): void {
    this.n = 0;
  }
}

function readTimeSeries(c: Ctx, end: number, out: WriteRequestData): void {
  const r = c.r;
  const cols = c.cols;
  const raw: Label[] = [];
  let badUtf8 = false;
  let histograms = 0;
  let exemplars = 0;
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag === TAG_TS_LABEL) {
      const l = readLabel(c, messageEnd(r, end, "Label"));
      if (l === undefined) badUtf8 = true;
      else raw.push(l);
    } else if (tag === TAG_TS_SAMPLE) {
      const sampleEnd = messageEnd(r, end, "Sample");
      const i = cols.reserve();
      cols.t[i] = readSample(c, sampleEnd, i);
      cols.n++;
    } else if (tag === TAG_TS_EXEMPLAR || tag === TAG_TS_HISTOGRAM) {
      r.pos = messageEnd(r, end, tag === TAG_TS_EXEMPLAR ? "Exemplar" : "Histogram");
      if (tag === TAG_TS_EXEMPLAR) exemplars++;
      else histograms++;
    } else {
      r.skip(tag & 7, tag >>> 3);
    }
  }
  checkEnd(r, end, "TimeSeries");

  const verdict = validateLabels(raw, badUtf8);
  if (typeof verdict === "string") {
    out.invalid.push({ labels: labelsToString(raw), reason: verdict, samples: cols.n + histograms });
    cols.drop();
    return;
  }
  out.histograms += histograms;
  out.exemplars += exemplars;
  if (cols.n > 0) out.series.push({ labels: verdict, ...cols.take() } satisfies SeriesData);
}

/** Returns undefined when a string is not valid UTF-8 (Prometheus drops such series). */
function readLabel(c: Ctx, end: number): Label | undefined {
  const r = c.r;
  let name: string | undefined = "";
  let value: string | undefined = "";
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag === TAG_LABEL_NAME) name = readString(c, end, "Label name");
    else if (tag === TAG_LABEL_VALUE) value = readString(c, end, "Label value");
    else r.skip(tag & 7, tag >>> 3);
  }
  checkEnd(r, end, "Label");
  return name === undefined || value === undefined ? undefined : { name, value };
}

/** Reads a Sample: stores its value bytes into column slot i and returns its timestamp. */
function readSample(c: Ctx, end: number, i: number): number {
  const r = c.r;
  let t = 0;
  c.cols.v[i] = 0; // proto3 default when the value field is absent
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag === TAG_SAMPLE_VALUE) {
      if (r.pos + 8 > end) throw new ApiError("bad_data", `truncated protobuf WriteRequest: Sample value at byte ${r.pos} runs past its message`);
      copyWireDouble(c.buf, r.pos, c.cols.vBytes, i);
      r.pos += 8;
    } else if (tag === TAG_SAMPLE_TIMESTAMP) {
      t = Number(r.int64());
    } else {
      r.skip(tag & 7, tag >>> 3);
    }
  }
  checkEnd(r, end, "Sample");
  return t;
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Sorted Labels (empty values dropped, as Prometheus treats them as absent), or the reason the set is invalid. */
function validateLabels(raw: Label[], badUtf8: boolean): Labels | string {
  if (badUtf8) return "a label name or value is not valid UTF-8";
  // Senders sort labels as the spec asks; sort only when one did not.
  let sorted = raw;
  for (let i = 1; i < raw.length; i++) {
    if (raw[i - 1]!.name > raw[i]!.name) {
      sorted = raw.slice().sort(byName);
      break;
    }
  }
  let hasName = false;
  let hasEmpty = false;
  for (let i = 0; i < sorted.length; i++) {
    const l = sorted[i]!;
    if (l.name === "") return "empty label name";
    if (i > 0 && sorted[i - 1]!.name === l.name) return `duplicate label name ${JSON.stringify(l.name)}`;
    if (l.name === METRIC_NAME) {
      if (l.value === "") return "empty metric name";
      hasName = true;
    }
    if (l.value === "") hasEmpty = true;
  }
  if (!hasName) return "missing metric name (__name__ label)";
  return hasEmpty ? sorted.filter((l) => l.value !== "") : sorted;
}

function readMetadata(c: Ctx, end: number): MetricMetadata {
  const r = c.r;
  const m: MetricMetadata = { type: "unknown", metricFamilyName: "", help: "", unit: "" };
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag === TAG_META_TYPE) m.type = metadataType(r.int32());
    else if (tag === TAG_META_NAME) m.metricFamilyName = metaString(c, end);
    else if (tag === TAG_META_HELP) m.help = metaString(c, end);
    else if (tag === TAG_META_UNIT) m.unit = metaString(c, end);
    else r.skip(tag & 7, tag >>> 3);
  }
  checkEnd(r, end, "MetricMetadata");
  return m;
}

/** Metadata text is only shown to people, so bad UTF-8 is replaced rather than failing the request. */
function metaString(c: Ctx, end: number): string {
  return readString(c, end, "MetricMetadata string", true) as string;
}

function metadataType(n: number): MetadataType {
  return METADATA_TYPES[n] ?? "unknown";
}
