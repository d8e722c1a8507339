/**
 * @module
 * The `tcp` prober: connect, then blackbox_exporter's query_response
 * dialogue (expect a line matching a regex, send a line built from its
 * groups, upgrade with STARTTLS), as a pure state machine driven by an
 * injected socket shaped like `cloudflare:sockets`.
 */
import { decode, YamlStruct } from "../config/yaml-reader.ts";
import { abortable, errorText, recordIpLiteral } from "./context.ts";
import type { ProbeContext, ProbeSocket } from "./context.ts";
import { compileSearch, expandTemplate, findSubmatch } from "./regex.ts";
import { recordCertificateExpiry } from "./tls-cert.ts";
import type { SearchRegex } from "./regex.ts";

export interface QueryStep {
  expect?: SearchRegex;
  send: string;
  starttls: boolean;
}

export interface TcpProbeConfig {
  tls: boolean;
  queryResponse: QueryStep[];
}

export const TCP_PROBE_FIELDS = ["preferred_ip_protocol", "ip_protocol_fallback", "source_ip_address", "query_response", "tls", "tls_config"];
const QUERY_RESPONSE_FIELDS = ["expect", "send", "starttls"];

export function parseTcpProbe(s: YamlStruct): TcpProbeConfig {
  const protocol = s.string("preferred_ip_protocol");
  if (!["", "ip4", "ip6"].includes(protocol)) throw s.error("preferred_ip_protocol", `invalid preferred_ip_protocol "${protocol}"`);
  if (s.has("source_ip_address")) {
    throw s.error("source_ip_address", "source_ip_address is not supported on Cloudflare Workers: connect() cannot choose the source address");
  }
  if (s.has("tls_config")) {
    throw s.error("tls_config", "tls_config is not supported on Cloudflare Workers: connect() always verifies the server against public certificate authorities with the target's host name");
  }
  const queryResponse = s.list("query_response", "[]config.QueryResponse", (n) => {
    const q = new YamlStruct(s.file, n, "config.QueryResponse", QUERY_RESPONSE_FIELDS, s.lineOf("query_response"));
    const src = q.string("expect");
    let expect: SearchRegex | undefined;
    if (src !== "") {
      try {
        expect = compileSearch(src);
      } catch (e) {
        throw q.error("expect", errorText(e));
      }
    }
    return { expect, send: q.string("send"), starttls: q.has("starttls") ? decode.bool(s.file, q.value("starttls")) : false };
  });
  return { tls: s.bool("tls", false), queryResponse };
}

export type DialogueAction =
  | { kind: "send"; data: string }
  | { kind: "starttls" }
  | { kind: "read" }
  | { kind: "done"; success: boolean; failedDueToRegex: boolean; reason?: string };

/**
 * The query_response dialogue. Each call returns the actions to perform, the
 * last being either "read" (call `line` or `eof` next) or "done".
 */
export class Dialogue {
  readonly #steps: readonly QueryStep[];
  #index = 0;
  #finished = false;

  constructor(steps: readonly QueryStep[]) {
    this.#steps = steps;
  }

  start(): DialogueAction[] {
    return this.#advance([]);
  }

  /** A line read from the connection (without its line ending). */
  line(text: string): DialogueAction[] {
    const step = this.#awaiting();
    const m = findSubmatch(step.expect!, text);
    if (m === undefined) return [{ kind: "read" }];
    const out: DialogueAction[] = [];
    this.#emit(step, expandTemplate(step.send, m), out);
    this.#index++;
    return this.#advance(out);
  }

  /** The peer closed the connection before the expected line came. */
  eof(): DialogueAction[] {
    const step = this.#awaiting();
    this.#finished = true;
    return [{ kind: "done", success: false, failedDueToRegex: true, reason: `Regexp did not match: ${step.expect!.source}` }];
  }

  #awaiting(): QueryStep {
    const step = this.#steps[this.#index];
    if (this.#finished || step?.expect === undefined) throw new Error("dialogue is not waiting for input");
    return step;
  }

  #emit(step: QueryStep, send: string, out: DialogueAction[]): void {
    if (send !== "") out.push({ kind: "send", data: `${send}\n` });
    if (step.starttls) out.push({ kind: "starttls" });
  }

  #advance(out: DialogueAction[]): DialogueAction[] {
    while (this.#index < this.#steps.length) {
      const step = this.#steps[this.#index]!;
      if (step.expect !== undefined) {
        out.push({ kind: "read" });
        return out;
      }
      this.#emit(step, step.send, out);
      this.#index++;
    }
    this.#finished = true;
    out.push({ kind: "done", success: true, failedDueToRegex: false });
    return out;
  }
}

/** Splits a byte stream into lines as Go's bufio.ScanLines does (`\n`, a trailing `\r` dropped). */
export class LineSplitter {
  readonly #decoder = new TextDecoder();
  #pending = "";

  push(bytes: Uint8Array): string[] {
    this.#pending += this.#decoder.decode(bytes, { stream: true });
    const parts = this.#pending.split("\n");
    this.#pending = parts.pop()!;
    return parts.map((l) => l.replace(/\r$/, ""));
  }

  /** The unterminated last line, if any. */
  end(): string[] {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = "";
    return rest === "" ? [] : [rest.replace(/\r$/, "")];
  }
}

/** Go's net.SplitHostPort. */
export function splitHostPort(target: string): { host: string; port: number } {
  const m = /^\[([^\]]*)\]:(\d+)$/.exec(target) ?? /^([^:]*):(\d+)$/.exec(target);
  if (m === null) throw new Error(`address ${target}: missing port in address`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`address ${target}: invalid port`);
  return { host: m[1]!, port };
}

class Connection {
  #sock: ProbeSocket;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines = new LineSplitter();
  #queue: string[] = [];
  #eof = false;

  constructor(sock: ProbeSocket) {
    this.#sock = sock;
    this.#reader = sock.readable.getReader();
    this.#writer = sock.writable.getWriter();
  }

  async write(text: string, signal: AbortSignal): Promise<void> {
    await abortable(this.#writer.write(new TextEncoder().encode(text)), signal);
  }

  /** The next line, or undefined at end of stream. */
  async readLine(signal: AbortSignal): Promise<string | undefined> {
    while (this.#queue.length === 0) {
      if (this.#eof) return undefined;
      const r = await abortable(this.#reader.read(), signal);
      if (r.done) {
        this.#eof = true;
        this.#queue.push(...this.#lines.end());
      } else {
        this.#queue.push(...this.#lines.push(r.value));
      }
    }
    return this.#queue.shift();
  }

  startTls(): void {
    this.#reader.releaseLock();
    this.#writer.releaseLock();
    this.#sock = this.#sock.startTls();
    this.#reader = this.#sock.readable.getReader();
    this.#writer = this.#sock.writable.getWriter();
    this.#lines = new LineSplitter();
    this.#queue = [];
  }

  get socket(): ProbeSocket {
    return this.#sock;
  }
}

export async function probeTcp(target: string, cfg: TcpProbeConfig, ctx: ProbeContext): Promise<boolean> {
  const failedDueToRegex = ctx.metrics.gauge("probe_failed_due_to_regex");
  let hp: { host: string; port: number };
  try {
    hp = splitHostPort(target);
  } catch (e) {
    ctx.log("error", "Error splitting target address and port", { err: errorText(e) });
    return false;
  }
  recordIpLiteral(ctx, hp.host);
  const startTls = cfg.queryResponse.some((q) => q.starttls);
  ctx.log("info", cfg.tls ? "Dialing TCP with TLS" : "Dialing TCP without TLS");
  let conn: Connection | undefined;
  let sock: ProbeSocket | undefined;
  try {
    sock = ctx.io.connect({ hostname: hp.host, port: hp.port }, { secureTransport: cfg.tls ? "on" : startTls ? "starttls" : "off" });
    await abortable(sock.opened, ctx.signal);
    ctx.log("info", "Successfully dialed");
    conn = new Connection(sock);
    const dialogue = new Dialogue(cfg.queryResponse);
    let actions = dialogue.start();
    for (;;) {
      for (const a of actions) {
        if (a.kind === "send") {
          ctx.log("debug", "Sending line", { line: a.data.trimEnd() });
          await conn.write(a.data, ctx.signal);
        } else if (a.kind === "starttls") {
          ctx.log("debug", "Upgrading TCP connection to TLS");
          conn.startTls();
        } else if (a.kind === "done") {
          if (a.reason) ctx.log("error", a.reason);
          failedDueToRegex.set(a.failedDueToRegex ? 1 : 0);
          if (a.success && cfg.tls) await recordCertificateExpiry(ctx, hp.host, hp.port);
          return a.success;
        }
      }
      // The last action was "read".
      const line = await conn.readLine(ctx.signal);
      if (line !== undefined) ctx.log("debug", "Read line", { line });
      actions = line === undefined ? dialogue.eof() : dialogue.line(line);
    }
  } catch (e) {
    ctx.log("error", "Error dialing or talking TCP", { err: errorText(e) });
    return false;
  } finally {
    (conn?.socket ?? sock)?.close().catch(() => undefined);
  }
}
