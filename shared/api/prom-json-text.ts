/**
 * @module
 * The JSON text of a query result (the `data` of the answer), written piece
 * by piece: the same bytes as `JSON.stringify(queryValueToJson(v))`, but with
 * no intermediate object per point and no single huge string, so a large
 * matrix can be streamed out of a Worker's 128 MB.
 */
import type { Labels } from "../labels/labels.ts";
import { labelsToRecord } from "../labels/labels.ts";
import type { QueryValue } from "../promql/value.ts";
import { formatGoFloatFixed } from "../format/go-float.ts";

/** `[t,"v"]` as JSON.stringify writes the pair (finite numbers print as String does; the value strings need no escaping). */
function point(ms: number, v: number): string {
  return `[${String(ms / 1000)},"${formatGoFloatFixed(v)}"]`;
}

function metric(ls: Labels): string {
  return JSON.stringify(labelsToRecord(ls));
}

/** Pieces of the data object's JSON text, about `chunkChars` characters each (one series at least). */
export function* queryValueJsonChunks(value: QueryValue, chunkChars = 64 * 1024): Generator<string> {
  switch (value.type) {
    case "scalar":
      yield `{"resultType":"scalar","result":${point(value.t, value.v)}}`;
      return;
    case "string":
      yield `{"resultType":"string","result":[${JSON.stringify(value.t / 1000)},${JSON.stringify(value.v)}]}`;
      return;
    case "vector": {
      let out = `{"resultType":"vector","result":[`;
      value.samples.forEach((s, i) => {
        out += `${i > 0 ? "," : ""}{"metric":${metric(s.labels)},"value":${point(s.t, s.v)}}`;
      });
      yield `${out}]}`;
      return;
    }
    case "matrix": {
      // Pieces joined per chunk: flat strings (a long `+=` chain is a rope that is slow to flatten).
      let parts: string[] = [`{"resultType":"matrix","result":[`];
      let size = 0;
      for (let k = 0; k < value.series.length; k++) {
        const s = value.series[k]!;
        parts.push(`${k > 0 ? "," : ""}{"metric":${metric(s.labels)},"values":[`);
        for (let i = 0; i < s.t.length; i++) {
          const p = point(s.t[i]!, s.v[i]!);
          parts.push(i > 0 ? `,${p}` : p);
          size += p.length + 1;
          if (size >= chunkChars) {
            yield parts.join("");
            parts = [];
            size = 0;
          }
        }
        parts.push("]}");
      }
      parts.push("]}");
      yield parts.join("");
    }
  }
}
