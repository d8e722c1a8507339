/**
 * Hostile input against the endpoints added after issue 8's sweep: /probe,
 * /heartbeat, the built-in Alertmanager v2 API, the rules/alerts API, the
 * public /status data, /-/reload, the status API, exemplars and `stats=`.
 * Each case: no 5xx (but a documented 503), a body that names the problem
 * when refused, and afterwards the alert, silence, heartbeat and samples
 * accepted before the suite are all still there.
 *
 * Probe targets are loopback IP literals or unparseable only: a host name
 * would be looked up through the machine's resolver, and tests send no
 * traffic beyond 127.0.0.0/8.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { SELF } from "cloudflare:test";

const BASE = "http://localhost";
const T0 = Date.now();

interface Case {
  name: string;
  req: () => Request;
  /** Expected status; default: any 4xx. */
  status?: number | "ok";
  /** What the body must say (default for a 4xx: something, and not a stack). */
  says?: RegExp;
}

const cases: Case[] = [];
const add = (name: string, path: string, init: RequestInit = {}, expect: Pick<Case, "status" | "says"> = {}) =>
  cases.push({ name, req: () => new Request(BASE + path, init), ...expect });
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const json = (method: string, body: unknown): RequestInit => ({ method, body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" } });
const future = (ms: number) => new Date(Date.now() + ms).toISOString();
const past = (ms: number) => new Date(Date.now() - ms).toISOString();

// ---- /probe ----
add("probe without target", "/probe?module=tcp_connect", {}, { says: /Target parameter is missing/ });
add("probe empty target", "/probe?target=&module=tcp_connect", {}, { says: /Target parameter is missing/ });
for (const module of ["nosuch", "icmp", "../http_2xx", "x".repeat(5000), "\u0000"]) add(`probe module=${module.slice(0, 20)}`, `/probe?${q({ target: "127.0.0.1:1", module })}`, {}, { says: /Unknown module/ });
for (const region of ["mars", "weur,mars", "x".repeat(5000), "WEUR"]) add(`probe region=${region.slice(0, 20)}`, `/probe?${q({ target: "127.0.0.1:1", module: "tcp_connect", region })}`, {}, { says: /region/ });
// Malformed targets are a failed probe (probe_success 0, 200), as blackbox_exporter answers them.
for (const [module, target] of [
  // (Other schemes are not tried: "ftp://h" becomes http://ftp//h, as in blackbox_exporter, and "ftp" would be looked up.)
  ["http_2xx", "https://user:pass@127.0.0.1:1/"], ["http_2xx", "http://user:pass@127.0.0.1:1/"], ["http_2xx", "http://[::1]:1/"], ["http_2xx", "http://[::1"],
  ["http_2xx", "http://127.0.0.1:99999/"], ["http_2xx", "http://127.0.0.1:1/%00%ff?x=\u0000"], ["http_2xx", "http://[::ffff:127.0.0.1]:1/"], ["http_2xx", "http://127.0.0.1:1/" + "a".repeat(20_000)],
  ["http_2xx", "http://"], ["http_2xx", "http://[::1]:99999/"], ["http_2xx", "\u0000"], ["tcp_connect", "[::1]:1"], ["tcp_connect", "127.0.0.1"], ["tcp_connect", "127.0.0.1:abc"],
  ["tcp_connect", "127.0.0.1:-1"], ["tcp_connect", "127.0.0.1:" + "9".repeat(20_000)], ["tcp_connect", "127.0.0.1:1:1"],
  ["dns_a", "127.0.0.1:1"],
] as const) {
  add(`probe ${module} target=${target.slice(0, 30)}`, `/probe?${q({ target, module })}`, {}, { status: "ok", says: /probe_success 0/ });
  add(`probe ${module} debug target=${target.slice(0, 30)}`, `/probe?${q({ target, module, debug: "true" })}`, {}, { status: "ok", says: /Logs for the probe/ });
}
for (const region of ["", "weur,enam,weur"]) add(`probe region=${region} (valid)`, `/probe?${q({ target: "127.0.0.1:1", module: "tcp_connect", region })}`, {}, { status: "ok", says: /probe_success/ });
add("probe debug=yes is not debug", `/probe?${q({ target: "127.0.0.1:1", module: "tcp_connect", debug: "yes" })}`, {}, { status: "ok", says: /probe_success 0/ });
add("probe timeout header garbage", `/probe?${q({ target: "127.0.0.1:1", module: "tcp_connect" })}`, { headers: { "x-prometheus-scrape-timeout-seconds": "-1e400" } }, { status: "ok", says: /probe_success 0/ });

// ---- /heartbeat ----
for (const name of ["x".repeat(129), "a b", "a%2Fb", "a$b", "ü", "%00", "a..%2F.."]) {
  for (const method of ["GET", "POST"]) add(`heartbeat ${method} name=${name.slice(0, 20)}`, `/heartbeat/${name}`, { method }, { says: /invalid heartbeat name/ });
}
for (const period of ["abc", "0s", "-5m", "500ms", "367d", "1e400", "5", "5m5", "x".repeat(5000), "1y1y1y"]) add(`heartbeat period=${period.slice(0, 20)}`, `/heartbeat/hb_bad?${q({ period })}`, {}, { says: /period/ });
add("heartbeat PUT", "/heartbeat/hb_put", { method: "PUT" }, { status: 404 });
// Dot segments never reach the route (URLs collapse them); heartbeatPush refuses them anyway (its unit test).
for (const name of ["%2E", "%2E%2E"]) add(`heartbeat name=${name}`, `/heartbeat/${name}`, {}, { status: 404 });

// ---- Alertmanager v2: alerts ----
const AL = "/api/v2/alerts";
const alert = (labels: unknown, extra: Record<string, unknown> = {}) => ({ labels, ...extra });
for (const [name, body, says] of [
  ["empty body", "", /invalid JSON/],
  ["malformed JSON", "[{", /invalid JSON/],
  ["object, not array", { labels: { a: "b" } }, /array/],
  ["number", 42, /array/],
  ["null", "null", /array/],
  ["array of null", [null], /labels/],
  ["array of strings", ["x"], /labels/],
  ["missing labels", [{ annotations: {} }], /labels/],
  ["labels array", [alert(["a"])], /label/],
  ["empty labels", [alert({})], /at least one label/],
  ["only empty label values", [alert({ a: "" })], /at least one label/],
  ["invalid label name", [alert({ "bad-name": "x" })], /invalid name \\"bad-name\\"/],
  ["label name starting with a digit", [alert({ "1a": "x" })], /invalid name/],
  ["label value number", [alert({ a: 1 })], /must be a string/],
  ["label value null", [alert({ a: null })], /must be a string/],
  ["label value object", [alert({ a: { b: 1 } })], /must be a string/],
  ["huge label value", [alert({ a: "v".repeat(20_000) })], /longer than/],
  ["too many labels", [alert(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`l${i}`, "v"])))], /more than/],
  ["annotations string", [alert({ a: "b" }, { annotations: "abc" })], /annotation/],
  ["annotations invalid name", [alert({ a: "b" }, { annotations: { "x y": "z" } })], /invalid name/],
  ["annotation value number", [alert({ a: "b" }, { annotations: { s: 1 } })], /must be a string/],
  ["huge annotation", [alert({ a: "b" }, { annotations: { s: "v".repeat(200_000) } })], /annotation/],
  ["too many annotations", [alert({ a: "b" }, { annotations: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`a${i}`, "v"])) })], /annotation/],
  ["endsAt before startsAt", [alert({ a: "b" }, { startsAt: past(1000), endsAt: past(3600_000) })], /start time must be before end time/],
  ["startsAt garbage", [alert({ a: "b" }, { startsAt: "yesterday" })], /invalid startsAt/],
  ["startsAt number", [alert({ a: "b" }, { startsAt: 1700000000 })], /startsAt/],
  ["endsAt object", [alert({ a: "b" }, { endsAt: {} })], /endsAt/],
  ["startsAt beyond year 275760", [alert({ a: "b" }, { startsAt: "+300000-01-01T00:00:00Z" })], /startsAt/],
  ["generatorURL object", [alert({ a: "b" }, { generatorURL: { x: 1 } })], /generatorURL/],
  ["generatorURL huge", [alert({ a: "b" }, { generatorURL: "http://x/" + "g".repeat(70_000) })], /generatorURL/],
  ["too many alerts", Array.from({ length: 1001 }, (_, i) => alert({ alertname: `many${i}` })), /too many alerts/],
  ["one bad among good", [alert({ alertname: "hostile_never_1" }), alert({ "bad name": "x" })], /alert 1/],
] as [string, unknown, RegExp][]) {
  add(`POST alerts ${name}`, AL, json("POST", body), { says });
}
add("POST alerts body too large", AL, json("POST", "[" + " ".repeat(6_000_000) + "]"), { status: 413, says: /exceeds the limit of 5000000 bytes/ });
for (const [k, v] of [["active", "yes"], ["silenced", "1"], ["inhibited", "TRUE"], ["unprocessed", "x"], ["filter", "{"], ["filter", 'a=~"("'], ["filter", "=x"], ["filter", "a"], ["receiver", "("], ["receiver", "x".repeat(5000) + "("]] as const) {
  add(`GET alerts ${k}=${v.slice(0, 20)}`, `${AL}?${q({ [k]: v })}`);
  add(`GET alert groups ${k}=${v.slice(0, 20)}`, `${AL}/groups?${q({ [k]: v })}`);
}
add("PUT alerts", AL, json("PUT", []), { status: 404 });

// ---- Alertmanager v2: silences ----
const SIL = "/api/v2/silences";
const silence = (extra: Record<string, unknown> = {}) => ({
  matchers: [{ name: "alertname", value: "x", isRegex: false }], startsAt: past(1000), endsAt: future(3600_000), createdBy: "hostile", comment: "c", ...extra,
});
for (const [name, body, says] of [
  ["empty body", "", /invalid JSON/],
  ["malformed JSON", "{", /invalid JSON/],
  ["array", [silence()], /matchers/],
  ["null", "null", /matchers/],
  ["no matchers", silence({ matchers: undefined }), /matchers/],
  ["empty matchers", silence({ matchers: [] }), /at least one matcher/],
  ["matchers object", silence({ matchers: { name: "a" } }), /matchers/],
  ["matcher null", silence({ matchers: [null] }), /matcher/],
  ["matcher string", silence({ matchers: ["a=b"] }), /matcher/],
  ["matcher without name", silence({ matchers: [{ value: "x" }] }), /matcher/],
  ["matcher without value", silence({ matchers: [{ name: "a" }] }), /matcher/],
  ["matcher invalid name", silence({ matchers: [{ name: "a-b", value: "x", isRegex: false }] }), /invalid label name/],
  ["matcher bad regex", silence({ matchers: [{ name: "a", value: "(", isRegex: true }] }), /invalid label matcher/],
  ["matcher regex matching empty only", silence({ matchers: [{ name: "a", value: ".*", isRegex: true }] }), /must not match the empty string/],
  ["matcher isRegex string", silence({ matchers: [{ name: "a", value: "x", isRegex: "yes" }] }), /isRegex/],
  ["matcher huge value", silence({ matchers: [{ name: "a", value: "v".repeat(100_000), isRegex: false }] }), /matcher/],
  ["too many matchers", silence({ matchers: Array.from({ length: 101 }, (_, i) => ({ name: `l${i}`, value: "x", isRegex: false })) }), /too many matchers/],
  ["missing startsAt", silence({ startsAt: undefined }), /startsAt/],
  ["missing endsAt", silence({ endsAt: undefined }), /endsAt/],
  ["startsAt number", silence({ startsAt: 5 }), /startsAt/],
  ["endsAt garbage", silence({ endsAt: "tomorrow" }), /RFC 3339/],
  ["endsAt in the past", silence({ endsAt: past(3600_000) }), /in the past/],
  ["endsAt before startsAt", silence({ startsAt: future(7200_000), endsAt: future(3600_000) }), /start time must be before end time/],
  ["huge comment", silence({ comment: "c".repeat(5000) }), /comment longer/],
  ["huge createdBy", silence({ createdBy: "c".repeat(5000) }), /createdBy/],
  ["comment object", silence({ comment: { a: 1 } }), /comment/],
  ["unknown id", silence({ id: "00000000-0000-0000-0000-000000000000" }), /not found/],
  ["id object", silence({ id: { a: 1 } }), /id/],
] as [string, unknown, RegExp][]) {
  add(`POST silences ${name}`, SIL, json("POST", body), { says });
}
add("POST silences body too large", SIL, json("POST", "{" + " ".repeat(6_000_000) + "}"), { status: 413, says: /exceeds the limit of 5000000 bytes/ });
for (const f of ["{", 'a=~"("', "=x", "a", "x".repeat(5000)]) add(`GET silences filter=${f.slice(0, 20)}`, `${SIL}?${q({ filter: f })}`);
for (const id of ["nosuch", "00000000-0000-0000-0000-000000000000", "%00", "x".repeat(5000), "..%2F..%2Fsilences"]) {
  add(`GET silence ${id.slice(0, 20)}`, `/api/v2/silence/${id}`, {}, { status: 404, says: /silence not found/ });
  add(`DELETE silence ${id.slice(0, 20)}`, `/api/v2/silence/${id}`, { method: "DELETE" }, { status: 404, says: /silence not found/ });
}

// ---- /api/v1/rules, /api/v1/alerts, /api/v1/alertmanagers ----
for (const [k, v] of [["type", "alerts"], ["type", "x".repeat(5000)], ["exclude_alerts", "maybe"], ["match[]", "{"], ["match[]", 'up{a=~"("}'], ["match[]", "1"], ["match[]", ""]] as const) {
  add(`rules ${k}=${v.slice(0, 20)}`, `/api/v1/rules?${q({ [k]: v })}`);
}
for (const [k, v] of [["rule_name[]", "x".repeat(5000)], ["group_name[]", "\u0000"], ["file[]", "../../etc/passwd"], ["rule_group[]", ""], ["type", "alert"], ["type", "record"], ["match[]", 'up{job="x"}'], ["exclude_alerts", "TRUE"]] as const) {
  add(`rules ${k}=${v.slice(0, 20)} (valid)`, `/api/v1/rules?${q({ [k]: v })}`, {}, { status: 200, says: /"groups"/ });
}
add("rules many match[]", `/api/v1/rules?${Array.from({ length: 300 }, (_, i) => `match[]=m${i}`).join("&")}`, {}, { status: 200, says: /"groups"/ });
add("alerts with filters", `/api/v1/alerts?${q({ type: "x", "match[]": "{" })}`, {}, { status: 200, says: /"alerts"/ });
add("alertmanagers", "/api/v1/alertmanagers", {}, { status: 200, says: /activeAlertmanagers/ });
add("POST rules", "/api/v1/rules", { method: "POST" }, { status: 404 });

// ---- /status?query= (public) ----
for (const query of [
  "up", "probe_success + up", "{__name__=~\"probe_.*\"}", "{__name__=\"probe_success\",job=\"x\"} or process_cpu_seconds_total", 'label_replace(up, "a", "b", "c", "d")',
  "1", "time()", "vector(1)", "count_values(\"x\", up)", "{job=~\".+\"}", "probe_success{", "x".repeat(20_000), "probe_success[5m] @ end() or up",
  "absent(up)", "scalar(up)", "probe_success and on() up", "sort(up)",
]) {
  add(`status query=${query.slice(0, 30)}`, `/status?${q({ query })}`, {}, { says: /probe_success|parse error|unexpected|unclosed/ });
}
for (const [name, params, status] of [
  ["range without start", { query: "probe_success", step: "15" }, undefined],
  ["range bad step", { query: "probe_success", start: "0", end: "100", step: "0" }, undefined],
  ["range too many points", { query: "probe_success", start: "0", end: "100000000", step: "1" }, undefined],
  ["range over a year at 1m", { query: "probe_success", start: "0", end: String(366 * 86400), step: "60" }, undefined],
  ["range of a week at 60s (the page's incidents)", { query: "min by (job, instance) (probe_success)", start: String(Math.floor(Date.now() / 1000) - 7 * 86400), end: String(Math.floor(Date.now() / 1000)), step: "60" }, "ok"],
  ["range of 30 days at 900s", { query: "probe_success", start: String(Math.floor(Date.now() / 1000) - 30 * 86400), end: String(Math.floor(Date.now() / 1000)), step: "900" }, undefined],
  ["90d uptime (the page's own)", { query: 'avg by (job, instance) (avg_over_time(probe_success{job=~"a|b"}[90d]))' }, "ok"],
  ["range selector with @ end()", { query: "probe_success[5m] @ end()" }, "ok"],
  ["window of 91d", { query: "avg_over_time(probe_success[91d])" }, undefined],
  ["window from range()", { query: "avg_over_time(probe_success[range()])", start: "0", end: "3600", step: "60" }, undefined],
  ["subquery of 5m at 1m", { query: "max_over_time(probe_success[5m:1m])" }, undefined],
  ["eleven selectors", { query: Array(11).fill("probe_success").join(" + ") }, undefined],
  ["subquery over 30 days at 1s", { query: "max_over_time(probe_success[30d:1s])" }, undefined],
  ["range vector over a year", { query: "avg_over_time(probe_duration_seconds[366d])" }, undefined],
  ["bad time", { query: "probe_success", time: "abc" }, undefined],
  ["info() joining target_info", { query: "info(probe_success)", time: String(T0 / 1000) }, undefined],
  ["info() with a selector", { query: 'info(probe_success, {__name__="probe_success"})', time: String(T0 / 1000) }, undefined],
  ["the page's current state", { query: 'probe_success{job=~"web"}', time: String(T0 / 1000) }, "ok"],
  ["timeout param ignored", { query: "probe_success", timeout: "abc" }, "ok"],
] as [string, Record<string, string>, Case["status"]][]) {
  add(`status ${name}`, `/status?${q(params)}`, {}, { status, says: status === "ok" ? /"success"/ : /./ });
}

// ---- /-/reload, status API, exemplars, stats ----
add("reload GET", "/-/reload", {}, { status: 405, says: /Only POST or PUT/ });
add("reload DELETE", "/-/reload", { method: "DELETE" }, { status: 405, says: /Only POST or PUT/ });
add("reload POST with a body", "/-/reload", { method: "POST", body: "x".repeat(100_000) }, { status: 200 });
for (const limit of ["0", "-1", "abc", "1.5", "1e400", "99999999999999999999"]) add(`tsdb limit=${limit}`, `/api/v1/status/tsdb?${q({ limit })}`, {}, { says: /limit/ });
add("tsdb limit huge but integer", `/api/v1/status/tsdb?${q({ limit: "1000000000" })}`, {}, { status: 200 });
add("status nosuch", "/api/v1/status/nosuch", {}, { status: 404 });
for (const [name, params] of [
  ["no query", {}], ["bad query", { query: "up{" }], ["bad start", { query: "up", start: "abc" }], ["bad end", { query: "up", end: "1e400" }],
  ["end before start", { query: "up", start: "100", end: "0" }],
] as [string, Record<string, string>][]) {
  add(`exemplars ${name}`, `/api/v1/query_exemplars?${q(params)}`, {}, { says: /query|start|end|parse/ });
}
add("exemplars POST body too large", "/api/v1/query_exemplars", { method: "POST", body: "query=" + "u".repeat(33 * 1024 * 1024), headers: { "content-type": "application/x-www-form-urlencoded" } }, { status: 413, says: /exceeds the limit .*MAX_REQUEST_BYTES/ });
for (const stats of ["", "all", "true", "x".repeat(5000), "\u0000"]) {
  add(`query stats=${stats.slice(0, 10)}`, `/api/v1/query?${q({ query: "hostile_ep_base", stats })}`, {}, { status: 200, says: /"success"/ });
  add(`query_range stats=${stats.slice(0, 10)}`, `/api/v1/query_range?${q({ query: "hostile_ep_base", start: "0", end: "60", step: "15", stats })}`, {}, { status: 200, says: /"success"/ });
}
add("query stats with a bad query", `/api/v1/query?${q({ query: "up{", stats: "all" })}`, {}, { says: /parse error/ });

async function snapshot(): Promise<string> {
  const sample = await (await SELF.fetch(`${BASE}/api/v1/query?${q({ query: "hostile_ep_base", time: String(T0 / 1000) })}`)).json();
  const alerts = (await (await SELF.fetch(`${BASE}/api/v2/alerts?${q({ filter: 'alertname="HostileKept"' })}`)).json()) as { labels: unknown; annotations: unknown; startsAt: string }[];
  const silences = (await (await SELF.fetch(`${BASE}/api/v2/silences?${q({ filter: 'alertname="HostileKept"' })}`)).json()) as { id: string; status: unknown; endsAt: string; comment: string }[];
  const pg = (await (await SELF.fetch(`${BASE}/pushgateway/metrics`)).text()).split("\n").filter((l) => l.includes('name="hb_kept"') && l.startsWith("pyrometer_heartbeat"));
  return JSON.stringify({
    sample: (sample as { data: { result: unknown } }).data.result,
    alerts: alerts.map((a) => [a.labels, a.annotations, a.startsAt]),
    silences: silences.map((s) => [s.id, s.status, s.endsAt, s.comment]),
    pg,
  });
}

describe("hostile input against the newer endpoints", () => {
  let before = "";
  beforeAll(async () => {
    // target_info carries a label the public status page must never reveal (info() would join it in).
    const lines = [`hostile_ep_base{k="v"} 7 ${T0}`, `probe_success{job="web",instance="a"} 1 ${T0}`, `target_info{job="web",instance="a",secret="s3cret"} 1 ${T0}`];
    expect((await SELF.fetch(`${BASE}/api/v1/import/prometheus`, { method: "POST", body: lines.join("\n") + "\n" })).status).toBe(200);
    expect((await SELF.fetch(`${BASE}/api/v2/alerts`, json("POST", [alert({ alertname: "HostileKept", severity: "page" }, { annotations: { summary: "kept" }, startsAt: past(60_000) })]))).status).toBe(200);
    const sil = await SELF.fetch(`${BASE}/api/v2/silences`, json("POST", silence({ matchers: [{ name: "alertname", value: "HostileKept", isRegex: false }], comment: "kept" })));
    expect(sil.status).toBe(200);
    expect((await SELF.fetch(`${BASE}/heartbeat/hb_kept?period=10m`)).status).toBe(200);
    before = await snapshot();
    expect(before).toMatch(/"7"/);
    expect(before).toMatch(/HostileKept/);
    expect(before).toMatch(/"kept"\]/);
    expect(before).toMatch(/pyrometer_heartbeat_period_seconds\{[^}]*\} 600/);
  });

  it(`has at least 250 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(250);
  });

  it("answers every case without a 5xx, and names the problem when it refuses", async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const res = await SELF.fetch(c.req());
      const body = await res.text();
      const why = (m: string) => failures.push(`${c.name}: ${m} (${res.status} ${body.slice(0, 200)})`);
      if (res.status >= 500) {
        why("5xx");
        continue;
      }
      if (c.status === "ok" ? res.status !== 200 : c.status !== undefined ? res.status !== c.status : res.status < 400) {
        why(`expected ${c.status ?? "4xx"}`);
        continue;
      }
      if (res.status >= 400 && c.status !== 404 && c.status !== 405) {
        if (body.trim() === "") why("empty error body");
        else if (/\bat .*\.(ts|js):\d+/.test(body) || /TypeError|ReferenceError|is not a function|Cannot read prop/.test(body)) why("leaks an exception");
        else if ((res.headers.get("content-type") ?? "").includes("json")) {
          const j = JSON.parse(body) as { status?: string; errorType?: string; error?: string };
          if (j.status !== "error" || !j.errorType || !j.error) why("error JSON without status/errorType/error");
        }
      }
      if (c.says && !c.says.test(body)) why(`body does not match ${c.says}`);
      if (c.name.startsWith("status ") && body.includes("s3cret")) why("the public page reveals target_info's labels");
    }
    expect(failures).toEqual([]);
  });

  it("keeps the samples, alert, silence and heartbeat accepted before the suite, and stays healthy", async () => {
    expect(await snapshot()).toBe(before);
    expect((await SELF.fetch(`${BASE}/-/healthy`)).status).toBe(200);
    // Nothing from the refused alert batches got in (a batch is all or nothing).
    const all = (await (await SELF.fetch(`${BASE}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
    expect(all.filter((a) => /^(hostile_never|many)/.test(a.labels.alertname ?? ""))).toEqual([]);
  });

  it("expires a silence twice with a 400, and a refused replacement at the silence limit leaves the old one active", async () => {
    const post = (body: unknown) => SELF.fetch(`${BASE}${SIL}`, json("POST", body));
    const once = (await (await post(silence({ comment: "to delete" }))).json()) as { silenceID: string };
    expect((await SELF.fetch(`${BASE}/api/v2/silence/${once.silenceID}`, { method: "DELETE" })).status).toBe(200);
    const again = await SELF.fetch(`${BASE}/api/v2/silence/${once.silenceID}`, { method: "DELETE" });
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/already expired/);

    // Fill up to SILENCE_LIMITS.maxSilences (10 000), then change the kept silence's matchers:
    // that replaces it (expire + create), which the limit refuses; the old one must stay active.
    const have = ((await (await SELF.fetch(`${BASE}${SIL}`)).json()) as unknown[]).length;
    for (let i = have; i < 10_000; i += 250) {
      const batch = Array.from({ length: Math.min(250, 10_000 - i) }, (_, j) => post(silence({ matchers: [{ name: "fill", value: String(i + j), isRegex: false }] })));
      for (const r of await Promise.all(batch)) expect(r.status).toBe(200);
    }
    const full = await post(silence({ matchers: [{ name: "fill", value: "one too many", isRegex: false }] }));
    expect(full.status).toBe(400);
    expect(await full.text()).toMatch(/too many silences \(max 10000\)/);
    const kept = ((await (await SELF.fetch(`${BASE}${SIL}?${q({ filter: 'alertname="HostileKept"' })}`)).json()) as { id: string }[])[0]!;
    const replace = await post(silence({ id: kept.id, matchers: [{ name: "alertname", value: "HostileKept", isRegex: false }, { name: "severity", value: "page", isRegex: false }] }));
    expect(replace.status).toBe(400);
    expect(await snapshot()).toBe(before);
  }, 180_000);
});
