/**
 * @module
 * TSDB status (Prometheus's /tsdb-status): head stats and the top
 * cardinality lists from /api/v1/status/tsdb.
 */
import { h, formatTime } from "../dom.ts";
import { prom, loadInto } from "../api.ts";

interface Count {
  name: string;
  value: number;
}

interface TsdbStatus {
  headStats?: { numSeries: number; numLabelPairs?: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName?: Count[];
  labelValueCountByLabelName?: Count[];
  memoryInBytesByLabelName?: Count[];
  seriesCountByLabelValuePair?: Count[];
}

function top(title: string, rows: Count[] | undefined, what: string): HTMLElement[] {
  return [h("h2", null, title), h("table", null,
    h("thead", null, h("tr", null, h("th", null, "Name"), h("th", null, what))),
    h("tbody", null, (rows ?? []).map((r) => h("tr", null, h("td", null, h("code", null, r.name)), h("td", { className: "num" }, String(r.value))))))];
}

export default function tsdbStatusPage(root: HTMLElement): void {
  const body = h("div");
  root.replaceChildren(h("h1", null, "TSDB status"), body);
  void loadInto(body, async () => (await prom<TsdbStatus>("/api/v1/status/tsdb")).data, (d) => {
    const hs = d.headStats;
    return [
      h("h2", null, "Head block"),
      hs ? h("table", { className: "compact" }, h("tbody", null,
        h("tr", null, h("th", null, "Series"), h("td", { className: "num" }, String(hs.numSeries))),
        h("tr", null, h("th", null, "Chunks"), h("td", { className: "num" }, String(hs.chunkCount))),
        hs.numLabelPairs !== undefined ? h("tr", null, h("th", null, "Label pairs"), h("td", { className: "num" }, String(hs.numLabelPairs))) : null,
        h("tr", null, h("th", null, "Lowest timestamp"), h("td", null, formatTime(hs.minTime))),
        h("tr", null, h("th", null, "Highest timestamp"), h("td", null, formatTime(hs.maxTime))))) : h("p", { className: "muted" }, "No head stats."),
      ...top("Top series count by metric name", d.seriesCountByMetricName, "Series"),
      ...top("Top label names with value count", d.labelValueCountByLabelName, "Values"),
      ...top("Top label names with high memory usage", d.memoryInBytesByLabelName, "Bytes"),
      ...top("Top series count by label value pairs", d.seriesCountByLabelValuePair, "Series"),
    ];
  });
}
