/**
 * @module
 * The one registry of prober kinds. A kind brings its blackbox.yml section
 * (fields, parser) and its probe; adding a kind is one entry here.
 */
import type { YamlStruct } from "../config/yaml-reader.ts";
import type { ProbeContext } from "./context.ts";
import { HTTP_PROBE_FIELDS, parseHttpProbe, probeHttp } from "./http.ts";
import { TCP_PROBE_FIELDS, parseTcpProbe, probeTcp } from "./tcp.ts";
import { DNS_PROBE_FIELDS, parseDnsProbe, probeDns } from "./dns.ts";

export interface ProberKind<C> {
  /** The Go type name blackbox_exporter's errors use for the section. */
  readonly typeName: string;
  readonly fields: readonly string[];
  /** `present`: the module writes this section (some checks apply only then). */
  parse(s: YamlStruct, present: boolean): C;
  probe(target: string, config: C, ctx: ProbeContext): Promise<boolean>;
}

function kind<C>(k: ProberKind<C>): ProberKind<unknown> {
  return k as ProberKind<unknown>;
}

export const PROBERS: Readonly<Record<string, ProberKind<unknown>>> = {
  http: kind({ typeName: "config.HTTPProbe", fields: HTTP_PROBE_FIELDS, parse: parseHttpProbe, probe: probeHttp }),
  tcp: kind({ typeName: "config.TCPProbe", fields: TCP_PROBE_FIELDS, parse: parseTcpProbe, probe: probeTcp }),
  dns: kind({ typeName: "config.DNSProbe", fields: DNS_PROBE_FIELDS, parse: parseDnsProbe, probe: probeDns }),
};

/** blackbox_exporter's probers a Worker cannot run, and why (the config error says this). */
export const UNSUPPORTED_PROBERS: Readonly<Record<string, string>> = {
  icmp: "Workers cannot send ICMP: the runtime has no raw or UDP sockets, only outbound TCP through connect(); probe the host with a tcp or http module instead",
  grpc: "fetch() does not expose HTTP/2 trailers, which gRPC health checks answer in",
  unix: "Workers have no Unix domain sockets",
  websocket: "not implemented in Pyrometer yet",
};
