/**
 * Real peer: the same pushes go to Debian's Pushgateway and to PushGroups;
 * status codes, the Pushgateway's error messages, the exposed series and the
 * /api/v1/metrics JSON must agree.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { ApiError } from "../api/errors.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ensureCommand } from "../../test/support/apt.ts";
import { labelsToString, getLabel } from "../labels/labels.ts";
import { parseFormat } from "../textparse/index.ts";
import { PushGroups, parseGroupingKeyPath, parsePushBody } from "./index.ts";

interface Op {
  method: "PUT" | "POST" | "DELETE";
  path: string;
  body?: string;
}

const OPS: Op[] = [
  { method: "PUT", path: "/metrics/job/a", body: '# TYPE x counter\nx 1\n# HELP g A gauge.\n# TYPE g gauge\ng{k="v"} 2\n' },
  { method: "POST", path: "/metrics/job/a/instance/i", body: "x 3\n" },
  { method: "PUT", path: "/metrics/job/b/path@base64/L3Zhci90bXA", body: '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\n' },
  { method: "POST", path: "/metrics/job/a", body: "y 1 1234\n" },
  { method: "POST", path: "/metrics/job/c", body: "h_count 5\n" },
  { method: "PUT", path: "/metrics/job/d/empty@base64/=", body: 'z{instance="x"} 7\n' },
  { method: "POST", path: "/metrics/job/a", body: '# TYPE x counter\nx{job="other",extra="e"} 5\n' },
  { method: "PUT", path: "/metrics/job/f/instance/i", body: "dup 1\n" },
  { method: "PUT", path: "/metrics/job/f", body: 'dup{instance="i"} 2\n' },
  { method: "PUT", path: "/metrics/job/e", body: "" },
  { method: "POST", path: "/metrics/job/g", body: "# TYPE s summary\ns{quantile=\"0.9\"} 3\ns_sum 10\ns_count 4\n" },
  { method: "PUT", path: "/metrics/job/a/odd", body: "q 1\n" },
  { method: "PUT", path: "/metrics/job/titan/name@base64/zqDPgc6_zrzOt864zrXPjc-C", body: "t 1\n" },
  { method: "DELETE", path: "/metrics/job/b/path@base64/L3Zhci90bXA" },
  {
    method: "PUT",
    path: "/metrics/job/hist/instance/h1",
    body: '# HELP lat Latency.\n# TYPE lat histogram\nlat_bucket{le="0.25"} 1000000\nlat_bucket{le="+Inf"} 1000001\nlat_sum 12.5\nlat_count 1000001\n# TYPE big gauge\nbig{v="a"} 1e6\nbig{v="b"} NaN\nbig{v="c"} -Inf\nbig{v="d"} 0.000012\n',
  },
  { method: "POST", path: "/metrics/job/hist/instance/h1", body: "# TYPE big gauge\nbig 3\n" },
];

/** What our HTTP layer would do with the model: the status and body. */
function applyLocal(pg: PushGroups, op: Op, now: number): { status: number; body: string } {
  try {
    const key = parseGroupingKeyPath(op.path);
    if (op.method === "DELETE") {
      pg.delete(key);
      return { status: 202, body: "" };
    }
    const fams = parsePushBody(op.body ?? "", "text/plain; version=0.0.4");
    if (op.method === "PUT") pg.put(key, fams, now);
    else pg.post(key, fams, now);
    return { status: 200, body: "" };
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, body: e.message };
    throw e;
  }
}

const OWN = /^(go_|process_|pushgateway_|promhttp_)/;

/** Series of an exposition minus the Pushgateway's own, timestamps reduced to zero/non-zero. */
function series(text: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  parseFormat(text, "prometheus-text", (ls, v) => {
    const name = getLabel(ls, "__name__");
    if (OWN.test(name)) return;
    out[labelsToString(ls)] = name.startsWith("push_") ? (v === 0 ? "zero" : "set") : v;
  });
  return out;
}

describe("PushGroups against a real Pushgateway", () => {
  let proc: ChildProcess | undefined;
  let base = "";
  let log = "";

  beforeAll(async () => {
    const bin = ensureCommand("prometheus-pushgateway", "prometheus-pushgateway");
    const s = createServer();
    await new Promise<void>((res) => s.listen(0, "127.0.0.1", res));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((res) => s.close(() => res()));
    proc = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`, "--persistence.file="]);
    proc.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`pushgateway did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    if (proc?.pid !== undefined && proc.exitCode === null) {
      const exited = new Promise((res) => proc!.once("exit", res));
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((res) => setTimeout(res, 5000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  });

  it("answers every push like the Pushgateway and exposes the same series", async () => {
    const pg = new PushGroups();
    let now = Date.now();
    for (const op of OPS) {
      const res = await fetch(base + op.path, { method: op.method, body: op.method === "DELETE" ? undefined : op.body, headers: { "Content-Type": "text/plain; version=0.0.4" } });
      const theirs = { status: res.status, body: (await res.text()).trim() };
      const ours = applyLocal(pg, op, (now += 1000));
      const what = `${op.method} ${op.path} ${JSON.stringify(op.body)}`;
      expect(ours.status, `${what}: theirs ${JSON.stringify(theirs)}, ours ${JSON.stringify(ours)}`).toBe(theirs.status);
      // Messages that do not come from client_golang's gatherer match word for word.
      if (theirs.status === 400 && !/collected|collides|type/.test(theirs.body)) expect(ours.body, what).toBe(theirs.body);
    }
    const theirText = await (await fetch(`${base}/metrics`)).text();
    expect(series(pg.exposition())).toEqual(series(theirText));

    // Line for line the same text, push times aside: same order, HELP/TYPE once per family.
    const lines = (t: string) =>
      t
        .split("\n")
        .filter((l) => !OWN.test(l.replace(/^# (HELP|TYPE) /, "")))
        .map((l) => (/^push_(failure_)?time_seconds\{/.test(l) && !l.endsWith(" 0") ? l.replace(/ \S+$/, " <time>") : l));
    expect(lines(pg.exposition())).toEqual(lines(theirText));

    // /api/v1/metrics: the same groups, families and metrics, time stamps aside.
    const strip = (j: { data: Record<string, unknown>[] }) =>
      j.data
        .map((g) => JSON.parse(JSON.stringify(g), (k, v) => (k === "time_stamp" ? undefined : k === "value" && typeof v === "string" && v.includes("e+09") ? "time" : v)))
        .sort((a, b) => (JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1));
    const theirJson = (await (await fetch(`${base}/api/v1/metrics`)).json()) as { data: Record<string, unknown>[] };
    expect(theirJson.data).toHaveLength(10);
    expect(strip(pg.metricsJson())).toEqual(strip(theirJson));
  }, 60_000);
});
