/**
 * @module
 * The write-ahead-log record: one append batch, encoded so that values keep
 * their exact bits (staleness markers) and decoding needs no schema.
 *
 *   u32 seriesCount
 *   per series: u32 labelsJsonBytes, labels JSON ([name, value, ...]),
 *               u32 n, f64[n] timestamps, f64[n] values
 * Integers and timestamps are little-endian; values are the raw bytes of a
 * Float64Array (copied as bytes, so NaN payloads are never touched).
 */
import type { SeriesData } from "./querier.ts";
import { encodeLabelsJson, readLabelsJson } from "./labels-json.ts";

export function encodeWalRecord(batch: readonly SeriesData[]): Uint8Array {
  const names = batch.map((s) => encodeLabelsJson(s.labels));
  let size = 4;
  batch.forEach((s, i) => (size += 8 + names[i]!.length + 16 * s.t.length));
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  let off = 0;
  dv.setUint32(off, batch.length, true);
  off += 4;
  batch.forEach((s, i) => {
    const b = names[i]!;
    dv.setUint32(off, b.length, true);
    buf.set(b, off + 4);
    off += 4 + b.length;
    const n = s.t.length;
    dv.setUint32(off, n, true);
    off += 4;
    for (let j = 0; j < n; j++) dv.setFloat64(off + 8 * j, s.t[j]!, true);
    off += 8 * n;
    buf.set(new Uint8Array(s.v.buffer, s.v.byteOffset, 8 * n), off);
    off += 8 * n;
  });
  return buf;
}

export function decodeWalRecord(data: Uint8Array): SeriesData[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  const need = (n: number) => {
    if (off + n > data.length) throw new Error(`WAL record truncated at byte ${off} (length ${data.length})`);
  };
  need(4);
  const count = dv.getUint32(off, true);
  off += 4;
  const out: SeriesData[] = [];
  for (let i = 0; i < count; i++) {
    const read = readLabelsJson(data, dv, off, need);
    const labels = read.labels;
    off = read.end;
    need(4);
    const n = dv.getUint32(off, true);
    off += 4;
    need(16 * n);
    const t = new Float64Array(n);
    for (let j = 0; j < n; j++) t[j] = dv.getFloat64(off + 8 * j, true);
    off += 8 * n;
    // slice() copies into a fresh, 8-aligned buffer.
    const v = new Float64Array(data.slice(off, off + 8 * n).buffer);
    off += 8 * n;
    out.push({ labels, t, v });
  }
  if (off !== data.length) throw new Error(`WAL record: ${data.length - off} trailing bytes`);
  return out;
}
