/**
 * @module
 * One probe as blackbox_exporter's /probe handler runs it: the timeout from
 * the module and the scrape's X-Prometheus-Scrape-Timeout-Seconds, the
 * prober, then probe_duration_seconds and probe_success; the debug page.
 */
import type { MetricFamily } from "../exposition/format.ts";
import { formatFamilies } from "../exposition/format.ts";
import { ProbeMetrics } from "./metrics.ts";
import { errorText } from "./context.ts";
import type { ProbeContext, ProbeIO } from "./context.ts";
import type { ProbeModule } from "./config.ts";
import { PROBERS } from "./registry.ts";

/** blackbox_exporter's --timeout-offset default. */
export const TIMEOUT_OFFSET_SECONDS = 0.5;

/** blackbox_exporter's getTimeout: the module's timeout, capped by the scrape's (less the offset); 120 s without a header. */
export function probeTimeoutSeconds(moduleTimeoutMs: number, scrapeTimeoutSeconds: number | undefined): number {
  const scrape = scrapeTimeoutSeconds !== undefined && scrapeTimeoutSeconds > 0 ? scrapeTimeoutSeconds : 120;
  const max = scrape - TIMEOUT_OFFSET_SECONDS;
  const mod = moduleTimeoutMs / 1000;
  return (mod > 0 && mod < max) || max < 0 ? mod : max;
}

export interface ProbeOutcome {
  success: boolean;
  families: MetricFamily[];
  log: string[];
  /** fetch() and connect() calls made: what the platform bills as subrequests. */
  subrequests: number;
}

function logfmt(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

/** Runs `module` against `target`; never throws (a failed probe is probe_success 0). */
export async function runProbe(module: ProbeModule, target: string, io: ProbeIO, opts: { scrapeTimeoutSeconds?: number; extraLabels?: Record<string, string> } = {}): Promise<ProbeOutcome> {
  const metrics = new ProbeMetrics();
  const log: string[] = [];
  let subrequests = 0;
  const counted: ProbeIO = {
    fetch: (req) => (subrequests++, io.fetch(req)),
    connect: (addr, o) => (subrequests++, io.connect(addr, o)),
    now: () => io.now(),
  };
  const timeoutSeconds = probeTimeoutSeconds(module.timeoutMs, opts.scrapeTimeoutSeconds);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, timeoutSeconds * 1000));
  const ctx: ProbeContext = {
    io: counted,
    signal: controller.signal,
    metrics,
    log(level, msg, fields = {}) {
      const parts = [`ts=${new Date().toISOString()}`, `module=${logfmt(module.name)}`, `target=${logfmt(target)}`, `level=${level}`, `msg=${logfmt(msg)}`];
      for (const [k, v] of Object.entries(fields)) parts.push(`${k}=${logfmt(v)}`);
      log.push(parts.join(" "));
    },
  };
  ctx.log("info", "Beginning probe", { probe: module.prober, timeout_seconds: timeoutSeconds });
  const start = io.now();
  let success = false;
  try {
    success = await PROBERS[module.prober]!.probe(target, module.sections[module.prober], ctx);
  } catch (e) {
    ctx.log("error", "Probe failed with an unexpected error", { err: errorText(e) });
  } finally {
    clearTimeout(timer);
  }
  const duration = (io.now() - start) / 1000;
  metrics.set("probe_duration_seconds", duration);
  metrics.set("probe_success", success ? 1 : 0);
  ctx.log(success ? "info" : "error", success ? "Probe succeeded" : "Probe failed", { duration_seconds: duration });
  return { success, families: metrics.families(opts.extraLabels), log, subrequests };
}

/** blackbox_exporter's debug=true page. */
export function debugPage(outcomes: readonly { label: string; outcome: ProbeOutcome }[], module: ProbeModule, families: readonly MetricFamily[]): string {
  const logs = outcomes.map((o) => (o.label ? `# ${o.label}\n` : "") + o.outcome.log.join("\n")).join("\n");
  return `Logs for the probe:\n${logs}\n\n\n\nMetrics that would have been returned:\n${formatFamilies(families)}\n\n\nModule configuration:\n${module.source}`;
}
