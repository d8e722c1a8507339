/**
 * @module
 * A label set as the WAL record and the checkpoint segment store it: a u32
 * byte length, then JSON `[name, value, name, value, ...]` (little-endian).
 */
import type { Label, Labels } from "../labels/labels.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeLabelsJson(labels: Labels): Uint8Array {
  const flat: string[] = [];
  for (const l of labels) flat.push(l.name, l.value);
  return enc.encode(JSON.stringify(flat));
}

/** Reads the length-prefixed labels at `off`; `need(n)` throws when fewer than n bytes remain. */
export function readLabelsJson(data: Uint8Array, dv: DataView, off: number, need: (n: number) => void): { labels: Label[]; end: number } {
  need(4);
  const len = dv.getUint32(off, true);
  need(4 + len);
  const flat = JSON.parse(dec.decode(data.subarray(off + 4, off + 4 + len))) as string[];
  const labels: Label[] = [];
  for (let j = 0; j < flat.length; j += 2) labels.push({ name: flat[j]!, value: flat[j + 1]! });
  return { labels, end: off + 4 + len };
}
