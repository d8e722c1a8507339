/**
 * @module
 * The gauges one probe produces, named, helped and labelled as
 * blackbox_exporter registers them: a plain gauge is printed (0) once
 * registered even if never set; a labelled gauge only with the label values
 * that were set. Families come out sorted by name, as Go's registry gathers.
 */
import type { MetricFamily } from "../exposition/format.ts";
import { labelsFromRecord } from "../labels/labels.ts";

/** blackbox_exporter's HELP texts, by metric name. */
export const HELP: Readonly<Record<string, string>> = {
  probe_success: "Displays whether or not the probe was a success",
  probe_duration_seconds: "Returns how long the probe took to complete in seconds",
  probe_failed_due_to_regex: "Indicates if probe failed due to regex",
  probe_ip_protocol: "Specifies whether probe ip protocol is IP4 or IP6",
  probe_ip_addr_hash: "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
  probe_http_status_code: "Response HTTP status code",
  probe_http_content_length: "Length of http content response",
  probe_http_uncompressed_body_length: "Length of uncompressed response body",
  probe_http_redirects: "The number of redirects",
  probe_http_ssl: "Indicates if SSL was used for the final redirect",
  probe_http_version: "Returns the version of HTTP of the probe response",
  probe_http_duration_seconds: "Duration of http request by phase, summed over all redirects",
  probe_http_last_modified_timestamp_seconds: "Returns the Last-Modified HTTP response header in unixtime",
  probe_ssl_earliest_cert_expiry: "Returns last SSL chain expiry in unixtime",
  probe_dns_duration_seconds: "Duration of DNS request by phase",
  probe_dns_answer_rrs: "Returns number of entries in the answer resource record list",
  probe_dns_authority_rrs: "Returns number of entries in the authority resource record list",
  probe_dns_additional_rrs: "Returns number of entries in the additional resource record list",
  probe_dns_query_succeeded: "Displays whether or not the query was executed successfully",
  probe_dns_serial: "Returns the serial number of the zone",
};

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** The metrics of one probe. */
export class ProbeMetrics {
  readonly #families = new Map<string, Map<string, Series>>();

  #family(name: string): Map<string, Series> {
    if (HELP[name] === undefined) throw new Error(`no HELP for probe metric ${name}`);
    let f = this.#families.get(name);
    if (f === undefined) this.#families.set(name, (f = new Map()));
    return f;
  }

  /** Registers a plain gauge at `initial` (blackbox prints registered gauges at 0). */
  gauge(name: string, initial = 0): { set(v: number): void } {
    const f = this.#family(name);
    if (!f.has("")) f.set("", { labels: {}, value: initial });
    return { set: (v) => void (f.get("")!.value = v) };
  }

  set(name: string, value: number): void {
    this.gauge(name).set(value);
  }

  /** A gauge with one label; only the label values set are printed. */
  gaugeVec(name: string, label: string): { set(labelValue: string, v: number): void; add(labelValue: string, v: number): void } {
    const f = this.#family(name);
    const at = (lv: string) => {
      let s = f.get(lv);
      if (s === undefined) f.set(lv, (s = { labels: { [label]: lv }, value: 0 }));
      return s;
    };
    return { set: (lv, v) => void (at(lv).value = v), add: (lv, v) => void (at(lv).value += v) };
  }

  value(name: string, labelValue = ""): number | undefined {
    return this.#families.get(name)?.get(labelValue)?.value;
  }

  names(): string[] {
    return [...this.#families.keys()].sort();
  }

  /** Sorted by name, samples by label value; `extra` labels (e.g. region) added to every sample. */
  families(extra: Record<string, string> = {}): MetricFamily[] {
    return this.names().map((name) => ({
      name,
      help: HELP[name]!,
      type: "gauge" as const,
      samples: [...this.#families.get(name)!.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, s]) => ({ labels: labelsFromRecord({ ...s.labels, ...extra }), value: s.value })),
    }));
  }
}

/**
 * Joins the families of several probes (one per region) into one family per
 * name, as one exposition must hold each name once.
 */
export function mergeFamilies(parts: readonly MetricFamily[][]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const part of parts) {
    for (const f of part) {
      const have = byName.get(f.name);
      if (have === undefined) byName.set(f.name, { ...f, samples: [...f.samples] });
      else have.samples.push(...f.samples);
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
