/**
 * @module
 * What a prober gets to do its work: the I/O it may use (injected, so the
 * probers stay pure and run the same in workerd, in Node tests and in the
 * bench), the deadline, the metrics and the debug log.
 */
import type { ProbeMetrics } from "./metrics.ts";

/** A TCP socket shaped like `cloudflare:sockets`' Socket. */
export interface ProbeSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened: Promise<unknown>;
  close(): Promise<void>;
  /** Upgrades the connection to TLS (the socket must be opened with secureTransport "starttls"). */
  startTls(): ProbeSocket;
}

export type SecureTransport = "off" | "on" | "starttls";

export interface ProbeIO {
  fetch(req: Request): Promise<Response>;
  connect(address: { hostname: string; port: number }, options: { secureTransport: SecureTransport }): ProbeSocket;
  /** Milliseconds, for durations. */
  now(): number;
}

export interface ProbeContext {
  io: ProbeIO;
  /** Fires when the probe's timeout has passed. */
  signal: AbortSignal;
  metrics: ProbeMetrics;
  log(level: "info" | "error" | "debug", msg: string, fields?: Record<string, unknown>): void;
}

export class ProbeTimeoutError extends Error {
  override name = "TimeoutError";
  constructor() {
    super("context deadline exceeded");
  }
}

/** Awaits `p`, or rejects when `signal` fires first. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ProbeTimeoutError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ProbeTimeoutError());
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** 4 or 6 when `host` is an IP literal (`[::1]` or `::1` or `127.0.0.1`), else undefined. */
export function ipLiteralVersion(host: string): 4 | 6 | undefined {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h)) return 4;
  if (h.includes(":") && /^[0-9a-fA-F:.]+$/.test(h)) return 6;
  return undefined;
}

/**
 * probe_ip_protocol and probe_ip_addr_hash, which blackbox_exporter sets from
 * the address it resolved. A Worker cannot see the address fetch/connect
 * resolve, so they are set only when the target names an IP literal.
 */
export function recordIpLiteral(ctx: ProbeContext, host: string): void {
  const v = ipLiteralVersion(host);
  if (v === undefined) return;
  ctx.metrics.set("probe_ip_protocol", v);
  const bytes = ipBytes(host.replace(/^\[|\]$/g, ""));
  if (bytes !== undefined) ctx.metrics.set("probe_ip_addr_hash", fnvBytes(bytes));
}

/** FNV-1a over the address bytes (4 for IPv4, 16 for IPv6), as blackbox_exporter hashes net.IP. */
function fnvBytes(bytes: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

export function ipBytes(ip: string): number[] | undefined {
  if (!ip.includes(":")) {
    const parts = ip.split(".").map(Number);
    return parts.length === 4 && parts.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? parts : undefined;
  }
  const [head, tail, ...rest] = ip.split("::");
  if (rest.length > 0) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...t];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out.push(n >> 8, n & 0xff);
  }
  return out;
}

/** Errors as a log line shows them. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
