// Exposition parsing throughput, label sets included.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseFormat } from "../../shared/textparse/index.ts";
import type { ExpositionFormat } from "../../shared/textparse/index.ts";
import type { BenchCase, BenchFigure } from "./harness.ts";
import { timeIt } from "./harness.ts";
import { NODE_EXPORTER_DATASET } from "../fixtures/paths.ts";

/** A 10,000-series scrape: counters, gauges and histograms with 3-6 labels each. */
export function syntheticExposition(series = 10_000): string {
  const out: string[] = [];
  const les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
  let made = 0;
  let fam = 0;
  while (made < series) {
    const kind = fam % 3;
    const name = `app_${["requests", "queue_depth", "request_duration_seconds"][kind]}_${fam}`;
    out.push(`# HELP ${name} Synthetic family ${fam} for the parser benchmark.`);
    out.push(`# TYPE ${name} ${["counter", "gauge", "histogram"][kind]}`);
    for (let i = 0; i < 50 && made < series; i++) {
      const ls = `instance="10.0.${fam % 256}.${i}:9100",job="api-server",method="${["GET", "POST", "PUT"][i % 3]}",path="/api/v1/items/${i % 17}"` + (i % 2 ? `,status="${200 + (i % 5)}"` : "");
      if (kind === 0) {
        out.push(`${name}_total{${ls}} ${1000 + i * 37}`);
        made++;
      } else if (kind === 1) {
        out.push(`${name}{${ls}} ${(i * 0.37).toFixed(3)}`);
        made++;
      } else {
        let cum = 0;
        for (const le of les) {
          cum += i + 1;
          out.push(`${name}_bucket{${ls},le="${le}"} ${cum}`);
        }
        out.push(`${name}_sum{${ls}} ${(cum * 0.0123).toPrecision(6)}`);
        out.push(`${name}_count{${ls}} ${cum}`);
        made += les.length + 2;
      }
    }
    fam++;
  }
  return out.join("\n") + "\n";
}

/** The job="node" series at their first timestamp, as node_exporter printed them. */
function nodeExporterExposition(): string {
  const path = NODE_EXPORTER_DATASET;
  const text = gunzipSync(readFileSync(path)).toString("utf8");
  const out: string[] = [];
  let prevSeries = "";
  for (const line of text.split("\n")) {
    if (!/[{,]job="node"[,}]/.test(line)) continue;
    const sp = line.lastIndexOf(" ");
    const vsp = line.lastIndexOf(" ", sp - 1);
    const series = line.slice(0, vsp);
    if (series === prevSeries) continue;
    prevSeries = series;
    // Drop the target labels the scraper added and the timestamp.
    const cleaned = series
      .replace(/([{,])instance="[^"]*",?/, "$1")
      .replace(/([{,])job="node",?/, "$1")
      .replace(",}", "}")
      .replace("{}", "");
    const value = line.slice(vsp + 1, sp);
    out.push(`${cleaned} ${value}`);
  }
  return out.join("\n") + "\n";
}

/**
 * MB/s by wall clock and by this process's CPU time: the machine is shared,
 * and CPU time is also what a Worker is billed and limited by.
 */
function throughput(body: Uint8Array, format: ExpositionFormat): { wall: number; cpu: number } {
  let sink = 0;
  let calls = 0;
  const c0 = process.cpuUsage();
  const secs = timeIt(() => {
    calls++;
    parseFormat(body, format, (ls, v) => {
      sink += ls.length + (v === v ? 0 : 1);
    });
  }, 3000);
  const c = process.cpuUsage(c0);
  if (sink < 0) throw new Error("unreachable");
  const mb = body.length / 1e6;
  return { wall: mb / secs, cpu: mb / ((c.user + c.system) / 1e6 / calls) };
}

function figures(name: string, body: Uint8Array, note: string): BenchFigure[] {
  const t = throughput(body, "prometheus-text");
  return [
    { name, value: t.wall, unit: "MB/s", note },
    { name: `${name}_cpu`, value: t.cpu, unit: "MB/s", note: `${note}, per CPU second` },
  ];
}

const cases: BenchCase[] = [
  {
    names: ["parse_mb_per_s", "parse_mb_per_s_cpu"],
    run() {
      const body = new TextEncoder().encode(syntheticExposition());
      return figures("parse_mb_per_s", body, `10,000 series, ${(body.length / 1e6).toFixed(2)} MB, labels built`);
    },
  },
  {
    names: ["parse_mb_per_s_node_exporter", "parse_mb_per_s_node_exporter_cpu"],
    run() {
      const body = new TextEncoder().encode(nodeExporterExposition());
      return figures("parse_mb_per_s_node_exporter", body, `node_exporter 1.5.0 scrape, ${(body.length / 1e3).toFixed(0)} kB, labels built`);
    },
  },
];

export default cases;
