/**
 * Probes: Pyrometer's own time per probe with the network taken out (the
 * targets are in-process loopbacks: a fetch answered by a function, a socket
 * whose peer is a script), through the same /probe handling the Worker runs
 * (shared/probe/endpoint.ts: parameters, prober, exposition); and what one
 * probe costs in billed operations, counted on that path.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { BenchCase } from "./harness.ts";
import { timeItAsync } from "./harness.ts";
import { parseBlackboxConfig, runProbe, serveProbe } from "../../shared/probe/index.ts";
import type { ProbeExecutor, ProbeIO } from "../../shared/probe/index.ts";
import { fakeIO } from "../../shared/probe/fake-io.ts";
import { encodeMessage, decodeMessage } from "../../shared/probe/dns-wire.ts";

const config = parseBlackboxConfig(readFileSync(resolve(import.meta.dirname, "../../config/blackbox.yml"), "utf8"), "config/blackbox.yml");
const PAGE = "<html>" + "x".repeat(1000) + " healthy</html>";

function executor(io: () => ProbeIO, calls: { region: number }): ProbeExecutor {
  return {
    local: (module, target, timeout) => runProbe(module, target, io(), { scrapeTimeoutSeconds: timeout }),
    region: (region, name, target, timeout) => {
      calls.region++;
      return runProbe(config.modules.get(name)!, target, io(), { scrapeTimeoutSeconds: timeout, extraLabels: { region } });
    },
  };
}

function loopback(): ProbeIO {
  return fakeIO({
    fetch: (req) => {
      const hop = /\/r(\d)$/.exec(req.url);
      if (hop && hop[1] !== "0") return new Response(null, { status: 302, headers: { location: `/r${Number(hop[1]) - 1}` } });
      if (req.headers.get("content-type") === "application/dns-message") {
        return req.arrayBuffer().then((b) => {
          const q = decodeMessage(new Uint8Array(b));
          const a = { name: "example.com.", type: 1, class: 1, ttl: 60, rdata: new Uint8Array([93, 184, 216, 34]), text: "" };
          return new Response(encodeMessage({ response: true, questions: q.questions, answer: [a] }));
        });
      }
      return new Response(PAGE, { headers: { "content-type": "text/html", "content-length": String(PAGE.length) } });
    },
    peer: async (p) => {
      await p.write("SSH-2.0-OpenSSH_9.2\r\n");
      await p.readLine();
    },
  });
}

/** Counts fetch/connect calls made by one /probe request. */
async function subrequests(query: string): Promise<{ subrequests: number; doCalls: number }> {
  let n = 0;
  const calls = { region: 0 };
  const counting = (): ProbeIO => {
    const io = loopback();
    return { ...io, fetch: (r) => (n++, io.fetch(r)), connect: (a, o) => (n++, io.connect(a, o)) };
  };
  const r = await serveProbe(new URLSearchParams(query), "10", config, executor(counting, calls));
  if (!/^probe_success(\{.*\})? 1$/m.test(r.body)) throw new Error(`bench probe failed: ${query}\n${r.body}`);
  return { subrequests: n, doCalls: calls.region };
}

async function overheadMs(query: string): Promise<number> {
  const exec = executor(loopback, { region: 0 });
  const params = new URLSearchParams(query);
  return (await timeItAsync(async () => void (await serveProbe(params, "10", config, exec)), 1500)) * 1000;
}

const cases: BenchCase[] = [
  {
    names: ["probe_overhead_ms", "probe_overhead_ms_tcp_banner", "probe_overhead_ms_dns", "probe_overhead_ms_3_regions"],
    async run() {
      return [
        { name: "probe_overhead_ms", value: await overheadMs("module=http_2xx&target=http://127.0.0.1/"), unit: "ms", note: "http_2xx, 1 KB page, loopback in-process" },
        { name: "probe_overhead_ms_tcp_banner", value: await overheadMs("module=ssh_banner&target=127.0.0.1:22"), unit: "ms", note: "ssh_banner dialogue over an in-memory socket" },
        { name: "probe_overhead_ms_dns", value: await overheadMs("module=dns_a&target=http://127.0.0.1/dns-query"), unit: "ms", note: "dns_a over DoH, one A answer" },
        { name: "probe_overhead_ms_3_regions", value: await overheadMs("module=http_2xx&target=http://127.0.0.1/&region=weur&region=enam&region=apac"), unit: "ms", note: "one scrape, 3 regional probes merged (without the DO RPC)" },
      ];
    },
  },
  {
    names: ["probe_subrequests_http", "probe_subrequests_http_3_redirects", "probe_subrequests_tcp", "probe_subrequests_dns", "probe_do_calls_per_scrape_3_regions"],
    async run() {
      const regional = await subrequests("module=http_2xx&target=http://127.0.0.1/&region=weur&region=enam&region=apac");
      return [
        { name: "probe_subrequests_http", value: (await subrequests("module=http_2xx&target=http://127.0.0.1/")).subrequests, unit: "subrequests", note: "per HTTP probe" },
        { name: "probe_subrequests_http_3_redirects", value: (await subrequests("module=http_2xx&target=http://127.0.0.1/r3")).subrequests, unit: "subrequests", note: "each hop is one" },
        { name: "probe_subrequests_tcp", value: (await subrequests("module=ssh_banner&target=127.0.0.1:22")).subrequests, unit: "subrequests", note: "one connect()" },
        { name: "probe_subrequests_dns", value: (await subrequests("module=dns_a&target=http://127.0.0.1/dns-query")).subrequests, unit: "subrequests", note: "one DoH POST" },
        { name: "probe_do_calls_per_scrape_3_regions", value: regional.doCalls, unit: "DO requests", note: `and ${regional.subrequests} subrequests, one per region` },
      ];
    },
  },
];

export default cases;
