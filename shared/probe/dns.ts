/**
 * @module
 * The `dns` prober over DNS-over-HTTPS (RFC 8484, wire format POSTed as
 * application/dns-message): blackbox_exporter's DNSProbe options (query
 * name/type/class, valid_rcodes, validate_*_rrs) and metrics. The target is
 * the resolver: a DoH URL, or a host whose `https://<host>/dns-query` is used.
 */
import { decode } from "../config/yaml-reader.ts";
import type { YamlStruct } from "../config/yaml-reader.ts";
import { abortable, errorText, recordIpLiteral } from "./context.ts";
import type { ProbeContext } from "./context.ts";
import { compileSearch, searchMatches } from "./regex.ts";
import type { SearchRegex } from "./regex.ts";
import { CLASSES, RCODES, RR_TYPES, decodeMessage, encodeQuery, rcodeName } from "./dns-wire.ts";
import type { ResourceRecord } from "./dns-wire.ts";

export const DOH_CONTENT_TYPE = "application/dns-message";

export interface RRValidator {
  failIfMatchesRegexp: SearchRegex[];
  failIfAllMatchRegexp: SearchRegex[];
  failIfNotMatchesRegexp: SearchRegex[];
  failIfNoneMatchesRegexp: SearchRegex[];
}

export interface DnsProbeConfig {
  queryName: string;
  queryType: number;
  queryClass: number;
  recursionDesired: boolean;
  validRcodes: number[];
  validateAnswer: RRValidator;
  validateAuthority: RRValidator;
  validateAdditional: RRValidator;
}

export const DNS_PROBE_FIELDS = [
  "preferred_ip_protocol", "ip_protocol_fallback", "dns_over_tls", "tls_config", "source_ip_address",
  "transport_protocol", "query_class", "query_name", "query_type", "recursion_desired", "valid_rcodes",
  "validate_answer_rrs", "validate_authority_rrs", "validate_additional_rrs",
];
const VALIDATOR_FIELDS = ["fail_if_matches_regexp", "fail_if_all_match_regexp", "fail_if_not_matches_regexp", "fail_if_none_matches_regexp"];

function readValidator(s: YamlStruct, field: string): RRValidator {
  const v = s.struct(field, "config.DNSRRValidator", VALIDATOR_FIELDS);
  const list = (f: string) =>
    v.list(f, "[]string", (n) => {
      const src = decode.string(v.file, n);
      try {
        return compileSearch(src);
      } catch (e) {
        throw s.file.error(n, errorText(e));
      }
    });
  return {
    failIfMatchesRegexp: list("fail_if_matches_regexp"),
    failIfAllMatchRegexp: list("fail_if_all_match_regexp"),
    failIfNotMatchesRegexp: list("fail_if_not_matches_regexp"),
    failIfNoneMatchesRegexp: list("fail_if_none_matches_regexp"),
  };
}

const WHY_DOH = "this prober speaks DNS-over-HTTPS to the target (Workers have no UDP)";

/** `present`: the module has a dns section (blackbox validates only a written one). */
export function parseDnsProbe(s: YamlStruct, present: boolean): DnsProbeConfig {
  if (present && s.string("query_name") === "") throw s.error(undefined, "query name must be set for DNS module");
  const transport = s.string("transport_protocol");
  if (transport !== "") throw s.error("transport_protocol", `transport_protocol is not supported on Cloudflare Workers: ${WHY_DOH}`);
  for (const f of ["dns_over_tls", "tls_config", "source_ip_address"]) {
    if (s.has(f) && !(f === "dns_over_tls" && !s.bool(f, false))) throw s.error(f, `${f} is not supported on Cloudflare Workers: ${WHY_DOH}`);
  }
  const typeText = s.string("query_type") || "ANY";
  const queryType = RR_TYPES[typeText];
  if (queryType === undefined) throw s.error("query_type", `query type '${typeText}' is not valid`);
  const classText = s.string("query_class") || "IN";
  const queryClass = CLASSES[classText];
  if (queryClass === undefined) throw s.error("query_class", `query class '${classText}' is not valid`);
  const validRcodes = (s.has("valid_rcodes") ? s.stringList("valid_rcodes") : ["NOERROR"]).map((r) => {
    const n = RCODES[r];
    if (n === undefined) throw s.error("valid_rcodes", `invalid rcode "${r}"`);
    return n;
  });
  return {
    queryName: s.string("query_name"),
    queryType,
    queryClass,
    recursionDesired: s.bool("recursion_desired", true),
    validRcodes,
    validateAnswer: readValidator(s, "validate_answer_rrs"),
    validateAuthority: readValidator(s, "validate_authority_rrs"),
    validateAdditional: readValidator(s, "validate_additional_rrs"),
  };
}

/** blackbox's validRRs: whether a section passes its validator. */
export function validRRs(rrs: readonly ResourceRecord[], v: RRValidator, log: ProbeContext["log"]): boolean {
  if (rrs.length === 0 && (v.failIfNotMatchesRegexp.length > 0 || v.failIfNoneMatchesRegexp.length > 0)) {
    log("error", "fail_if_not_matches_regexp or fail_if_none_matches_regexp specified but no RRs returned");
    return false;
  }
  let anyMatch = false;
  let allMatch = true;
  for (const rr of rrs) {
    for (const re of v.failIfMatchesRegexp) {
      if (searchMatches(re, rr.text)) return (log("error", "At least one RR matched regexp", { regexp: re.source, rr: rr.text }), false);
    }
    for (const re of v.failIfAllMatchRegexp) if (!searchMatches(re, rr.text)) allMatch = false;
    for (const re of v.failIfNotMatchesRegexp) {
      if (!searchMatches(re, rr.text)) return (log("error", "At least one RR did not match regexp", { regexp: re.source, rr: rr.text }), false);
    }
    for (const re of v.failIfNoneMatchesRegexp) if (searchMatches(re, rr.text)) anyMatch = true;
  }
  if (v.failIfAllMatchRegexp.length > 0 && allMatch) return (log("error", "Not all RRs matched regexp"), false);
  if (v.failIfNoneMatchesRegexp.length > 0 && !anyMatch) return (log("error", "None of the RRs did matched any regexp"), false);
  return true;
}

export function dohUrl(target: string): string {
  return /^https?:\/\//.test(target) ? target : `https://${target}/dns-query`;
}

export async function probeDns(target: string, cfg: DnsProbeConfig, ctx: ProbeContext): Promise<boolean> {
  const m = ctx.metrics;
  const phases = m.gaugeVec("probe_dns_duration_seconds", "phase");
  phases.set("request", 0);
  const answer = m.gauge("probe_dns_answer_rrs");
  const authority = m.gauge("probe_dns_authority_rrs");
  const additional = m.gauge("probe_dns_additional_rrs");
  const succeeded = m.gauge("probe_dns_query_succeeded");
  let url: URL;
  try {
    url = new URL(dohUrl(target));
  } catch (e) {
    ctx.log("error", "Could not parse DNS-over-HTTPS target", { err: errorText(e) });
    return false;
  }
  recordIpLiteral(ctx, url.hostname);
  ctx.log("info", "Making DNS query", { target: url.toString(), query_name: cfg.queryName });
  const t0 = ctx.io.now();
  let msg;
  try {
    const res = await abortable(
      ctx.io.fetch(new Request(url.toString(), {
        method: "POST",
        headers: { "Content-Type": DOH_CONTENT_TYPE, Accept: DOH_CONTENT_TYPE },
        body: encodeQuery(cfg.queryName, cfg.queryType, cfg.queryClass, cfg.recursionDesired),
        signal: ctx.signal,
      })),
      ctx.signal,
    );
    const body = new Uint8Array(await abortable(res.arrayBuffer(), ctx.signal));
    phases.add("request", (ctx.io.now() - t0) / 1000);
    if (res.status !== 200) throw new Error(`DNS-over-HTTPS server returned HTTP status ${res.status}`);
    msg = decodeMessage(body);
  } catch (e) {
    ctx.log("error", "Error while sending a DNS query", { err: errorText(e) });
    return false;
  }
  ctx.log("info", "Got response", { rcode: rcodeName(msg.rcode) });
  answer.set(msg.answer.length);
  authority.set(msg.authority.length);
  additional.set(msg.additional.length);
  succeeded.set(1);
  if (cfg.queryType === RR_TYPES.SOA) {
    const serial = m.gauge("probe_dns_serial");
    for (const rr of msg.answer) if (rr.serial !== undefined) serial.set(rr.serial);
  }
  if (!cfg.validRcodes.includes(msg.rcode)) {
    ctx.log("error", "Rcode is not one of the valid rcodes", { string_rcode: rcodeName(msg.rcode), rcode: msg.rcode });
    return false;
  }
  if (!validRRs(msg.answer, cfg.validateAnswer, ctx.log)) return (ctx.log("error", "Answer RRs validation failed"), false);
  if (!validRRs(msg.authority, cfg.validateAuthority, ctx.log)) return (ctx.log("error", "Authority RRs validation failed"), false);
  if (!validRRs(msg.additional, cfg.validateAdditional, ctx.log)) return (ctx.log("error", "Additional RRs validation failed"), false);
  return true;
}
