import { describe, it, expect } from "vitest";
import { decodeMessage, encodeMessage, encodeQuery, RR_TYPES } from "./dns-wire.ts";
import type { ResourceRecord } from "./dns-wire.ts";
import { parseBlackboxConfig } from "./config.ts";
import { runProbe } from "./run.ts";
import { fakeIO } from "./fake-io.ts";
import { formatFamilies } from "../exposition/format.ts";
import { DOH_CONTENT_TYPE } from "./dns.ts";

const name = (n: string) => {
  const out: number[] = [];
  for (const l of n.split(".").filter(Boolean)) out.push(l.length, ...new TextEncoder().encode(l));
  return [...out, 0];
};
const rr = (n: string, type: number, rdata: number[], ttl = 300): ResourceRecord => ({ name: n, type, class: 1, ttl, rdata: new Uint8Array(rdata), text: "" });

describe("DNS wire format", () => {
  it("encodes a query as RFC 1035 bytes", () => {
    const q = encodeQuery("example.com", RR_TYPES.A!, 1, true);
    expect([...q]).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...name("example.com"), 0, 1, 0, 1]);
  });

  it("decodes answers with compression pointers and prints them as miekg/dns does", () => {
    // Hand-built: the answer's owner name points at the question (offset 12).
    const header = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 0];
    const question = [...name("example.com"), 0, 1, 0, 1];
    const ptr = [0xc0, 12];
    const a = [...ptr, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34];
    const aaaa = [...ptr, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const txt = [...ptr, 0, 16, 0, 1, 0, 0, 0, 60, 0, 9, 3, 0x61, 0x22, 0x62, 4, 0x74, 0x77, 0x6f, 0x21];
    const mx = [...ptr, 0, 15, 0, 1, 0, 0, 0, 60, 0, 7, 0, 10, 2, 0x6d, 0x78, ...ptr];
    const m = decodeMessage(new Uint8Array([...header, ...question, ...a, ...aaaa, ...txt, ...mx]));
    expect(m.id).toBe(0x1234);
    expect(m.response && m.recursionDesired && m.recursionAvailable).toBe(true);
    expect(m.questions).toEqual([{ name: "example.com.", type: 1, class: 1 }]);
    expect(m.answer.map((r) => r.text)).toEqual([
      "example.com.\t3600\tIN\tA\t93.184.216.34",
      "example.com.\t60\tIN\tAAAA\t2001:db8::1",
      'example.com.\t60\tIN\tTXT\t"a\\"b" "two!"',
      "example.com.\t60\tIN\tMX\t10 mx.example.com.",
    ]);
  });

  it("rejects truncated messages and pointer loops", () => {
    expect(() => decodeMessage(new Uint8Array([0, 0, 0, 0, 0, 1]))).toThrow(/overflow/);
    expect(() => decodeMessage(new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]))).toThrow(/compression pointers/);
  });

  it("round-trips a message with SOA", () => {
    const soa = [...name("ns.example"), ...name("host.example"), 0, 0, 0, 42, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4];
    const bytes = encodeMessage({ id: 7, response: true, rcode: 0, questions: [{ name: "example.", type: 6, class: 1 }], answer: [rr("example.", 6, soa)] });
    const m = decodeMessage(bytes);
    expect(m.answer[0]!.text).toBe("example.\t300\tIN\tSOA\tns.example. host.example. 42 1 2 3 4");
    expect(m.answer[0]!.serial).toBe(42);
  });
});

describe("dns prober over DoH", () => {
  const module = (dns: string) =>
    parseBlackboxConfig(`modules:\n  m:\n    prober: dns\n    timeout: 1s\n    dns:\n${dns.replace(/^/gm, "      ")}\n`, "bb.yml").modules.get("m")!;
  const value = (text: string, n: string) => Number(new RegExp(`^${n.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);

  /** A resolver answering every query with `answer` (and rcode). */
  function resolver(answer: ResourceRecord[], rcode = 0, authority: ResourceRecord[] = []) {
    return fakeIO({
      fetch: async (req) => {
        expect(req.method).toBe("POST");
        expect(req.headers.get("content-type")).toBe(DOH_CONTENT_TYPE);
        const q = decodeMessage(new Uint8Array(await req.arrayBuffer()));
        return new Response(encodeMessage({ id: q.id, response: true, rcode, questions: q.questions, answer, authority }), { headers: { "content-type": DOH_CONTENT_TYPE } });
      },
    });
  }

  it("counts sections and validates answers", async () => {
    const io = resolver([rr("example.com.", 1, [10, 0, 0, 1]), rr("example.com.", 1, [10, 0, 0, 2])]);
    const out = await runProbe(module("query_name: example.com\nquery_type: A\nvalidate_answer_rrs:\n  fail_if_not_matches_regexp: ['\\tIN\\tA\\t10\\.']"), "cloudflare-dns.com", io);
    const text = formatFamilies(out.families);
    expect(io.fetches[0]!.url).toBe("https://cloudflare-dns.com/dns-query");
    expect(value(text, "probe_success")).toBe(1);
    expect(value(text, "probe_dns_answer_rrs")).toBe(2);
    expect(value(text, "probe_dns_query_succeeded")).toBe(1);
    expect(text).toContain('probe_dns_duration_seconds{phase="request"}');
  });

  it("fail_if_matches / fail_if_all_match / fail_if_none_matches", async () => {
    const answers = [rr("x.", 1, [10, 0, 0, 1]), rr("x.", 1, [192, 168, 0, 1])];
    const run = async (v: string) => value(formatFamilies((await runProbe(module(`query_name: x\nvalidate_answer_rrs:\n${v}`), "http://127.0.0.1:5353/dns-query", resolver(answers))).families), "probe_success");
    expect(await run("  fail_if_matches_regexp: ['192\\.168']")).toBe(0);
    expect(await run("  fail_if_all_match_regexp: ['\\tA\\t']")).toBe(0);
    expect(await run("  fail_if_all_match_regexp: ['10\\.0']")).toBe(1);
    expect(await run("  fail_if_none_matches_regexp: ['172\\.16']")).toBe(0);
    expect(await run("  fail_if_none_matches_regexp: ['10\\.0']")).toBe(1);
    expect(await run("  fail_if_not_matches_regexp: ['10\\.0']")).toBe(0);
  });

  it("valid_rcodes; an empty answer fails a required match; the SOA serial", async () => {
    const nx = await runProbe(module("query_name: gone.example"), "r", resolver([], 3));
    expect(value(formatFamilies(nx.families), "probe_success")).toBe(0);
    const nxOk = await runProbe(module("query_name: gone.example\nvalid_rcodes: [NXDOMAIN]"), "r", resolver([], 3));
    expect(value(formatFamilies(nxOk.families), "probe_success")).toBe(1);
    const empty = await runProbe(module("query_name: x\nvalidate_answer_rrs:\n  fail_if_not_matches_regexp: ['.']"), "r", resolver([]));
    expect(value(formatFamilies(empty.families), "probe_success")).toBe(0);
    const soa = [...name("ns.x"), ...name("h.x"), 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4];
    const serial = await runProbe(module("query_name: x\nquery_type: SOA"), "r", resolver([rr("x.", 6, soa)]));
    expect(value(formatFamilies(serial.families), "probe_dns_serial")).toBe(9);
  });

  it("an HTTP error from the resolver fails the query", async () => {
    const out = await runProbe(module("query_name: x"), "r", fakeIO({ fetch: () => new Response("no", { status: 502 }) }));
    const text = formatFamilies(out.families);
    expect([value(text, "probe_success"), value(text, "probe_dns_query_succeeded")]).toEqual([0, 0]);
  });
});
