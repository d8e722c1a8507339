/**
 * @module
 * Reads a push body into metric families, as the Pushgateway's text parser
 * (Go expfmt, strict) does: `foo_bucket`/`foo_sum`/`foo_count` join family
 * `foo` when it is TYPEd histogram or summary, any other sample is its own
 * family (untyped without a TYPE line). Timestamps are kept so the store can
 * reject them with the Pushgateway's message.
 */
import { METRIC_NAME } from "../labels/labels.ts";
import type { MetricFamily, MetricType } from "../exposition/index.ts";
import { parseFormat, ParseError, type MetricMetadata } from "../textparse/index.ts";
import { ApiError } from "../api/errors.ts";

const PROTOBUF = "application/vnd.google.protobuf";

const FAMILY_SUFFIXES: readonly [string, readonly string[]][] = [
  ["_bucket", ["histogram"]],
  ["_sum", ["histogram", "summary"]],
  ["_count", ["histogram", "summary"]],
];

function familyOf(name: string, metadata: Map<string, MetricMetadata>): { family: string; suffix: string } {
  for (const [suffix, types] of FAMILY_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const t = metadata.get(base)?.type;
    if (t !== undefined && types.includes(t)) return { family: base, suffix };
  }
  return { family: name, suffix: "" };
}

function textType(t: MetricMetadata["type"] | undefined): MetricType {
  return t === "counter" || t === "gauge" || t === "histogram" || t === "summary" ? t : "untyped";
}

/**
 * Parses a PUT/POST body (already decompressed). Throws ApiError: 415
 * for delimited protobuf, 400 with expfmt's "text format parsing error in
 * line N: ..." for malformed text.
 */
export function parsePushBody(body: Uint8Array | string, contentType: string | null | undefined): MetricFamily[] {
  if ((contentType ?? "").split(";")[0]!.trim().toLowerCase() === PROTOBUF) {
    throw new ApiError("bad_data", "protobuf push bodies are not supported: push the text format (text/plain; version=0.0.4)", 415);
  }
  const samples: { name: string; labels: MetricFamily["samples"][number]["labels"]; value: number; timestampMs: number | undefined }[] = [];
  let metadata: Map<string, MetricMetadata>;
  try {
    metadata = parseFormat(
      body,
      "prometheus-text",
      (labels, value, timestampMs) => {
        let name = "";
        for (const l of labels) if (l.name === METRIC_NAME) name = l.value;
        samples.push({ name, labels: labels.filter((l) => l.name !== METRIC_NAME), value, timestampMs });
      },
      { strict: true },
    ).metadata;
  } catch (e) {
    if (e instanceof ParseError) throw new ApiError("bad_data", `text format parsing error in line ${e.line}: ${e.detail}`);
    throw e;
  }
  const families = new Map<string, MetricFamily>();
  for (const s of samples) {
    const { family, suffix } = familyOf(s.name, metadata);
    let f = families.get(family);
    if (f === undefined) {
      const meta = metadata.get(family);
      f = { name: family, help: meta?.help ?? "", type: textType(meta?.type), samples: [] };
      families.set(family, f);
    }
    const sample: MetricFamily["samples"][number] = { labels: s.labels, value: s.value };
    if (suffix !== "") sample.suffix = suffix;
    if (s.timestampMs !== undefined) sample.timestampMs = s.timestampMs;
    f.samples.push(sample);
  }
  return [...families.values()];
}
