// Issue 8, item 1: one sample stamped far in the future must not wipe a head shard.
import { describe, it, expect } from "vitest";
import { SELF, env, runDurableObjectAlarm, runInDurableObject, evictDurableObject } from "cloudflare:test";
import { encodeWalRecord } from "../../shared/tsdb/wal-record.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../shared/remote/index.ts";

const H = 3600_000;
const shard0 = () => env.HEAD_SHARD.get(env.HEAD_SHARD.idFromName("shard-0"));

/** Imports `name` every minute over the last 5 hours (the head spans more than 3 h). */
async function importHistory(name: string): Promise<number> {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  let body = "";
  for (let t = now - 5 * H; t <= now; t += 60_000) body += `${name}{src="import"} ${t / 1000} ${t}\n`;
  const res = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body });
  expect(res.status).toBe(200);
  return 5 * 60 + 1;
}

async function count(name: string): Promise<number> {
  const res = await SELF.fetch(`http://localhost/api/v1/query?query=${encodeURIComponent(`count_over_time(${name}[6h])`)}`);
  const json = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(json.data.result[0]?.value[1] ?? 0);
}

/** What the shard's block maintenance (cut, compact, retention) leaves. */
async function maintain(): Promise<void> {
  await shard0().append([], { shard: 0 });
  await runDurableObjectAlarm(shard0());
  await shard0().flush();
  await shard0().applyRetention();
}

describe("samples from the far future", () => {
  it("an import of a sample in 2100 is refused with Prometheus's out-of-bounds error, and nothing earlier is lost", async () => {
    const n = await importHistory("ff_import");
    expect(await count("ff_import")).toBe(n);
    const res = await SELF.fetch("http://localhost/api/v1/import/prometheus", { method: "POST", body: "m_future 1 4102444800000\n" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { status: string; errorType: string; error: string };
    expect(body).toMatchObject({ status: "error", errorType: "bad_data" });
    expect(body.error).toMatch(/out of bounds: timestamp 4102444800000 of series m_future is too far in the future \(more than 10m after now/);
    await maintain();
    expect(await count("ff_import")).toBe(n);
    expect(await count("m_future")).toBe(0);
  });

  it("a remote-write sample at 2^53-1 is refused with 400, and nothing earlier is lost", async () => {
    const n = await importHistory("ff_rw");
    const body = encodeWriteRequest([
      { labels: labelsFromRecord({ __name__: "ff_rw_future" }), t: Float64Array.of(2 ** 53 - 1), v: Float64Array.of(1) },
    ]);
    const res = await SELF.fetch("http://localhost/api/v1/write", { method: "POST", body, headers: REMOTE_WRITE_HEADERS });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/out of bounds: timestamp 9007199254740991 of series ff_rw_future is too far in the future/);
    await maintain();
    expect(await count("ff_rw")).toBe(n);
  });

  it("a head shard refuses a far-future sample from any path (a scrape with honor_timestamps) and cuts and retains by the wall clock", async () => {
    const n = await importHistory("ff_direct");
    const r = await shard0().append(
      [{ labels: labelsFromRecord({ __name__: "ff_direct_future" }), t: Float64Array.of(4102444800000), v: Float64Array.of(1) }],
      { shard: 0 },
    );
    expect(r).toMatchObject({ accepted: 0, tooOld: 1 });
    await maintain();
    expect(await count("ff_direct")).toBe(n);
  });

  it("a shard that already holds a far-future sample (written before the bound existed) cuts and retains by the wall clock", async () => {
    // Its own object and shard index, so the blocks it writes are its own.
    const stub = env.HEAD_SHARD.get(env.HEAD_SHARD.idFromName("ff-legacy"));
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const n = 5 * 60 + 1;
    const t = Float64Array.from({ length: n }, (_, i) => now - 5 * H + i * 60_000);
    await stub.append([{ labels: labelsFromRecord({ __name__: "ff_legacy" }), t, v: t.map((_, i) => i) }], { shard: 7 });
    // The far-future sample goes into the WAL as an old version would have written it; a restart replays it.
    const future = encodeWalRecord([{ labels: labelsFromRecord({ __name__: "ff_legacy_future" }), t: Float64Array.of(4102444800000), v: Float64Array.of(1) }]);
    await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("INSERT INTO wal_rows (slot, seq, max_t, data) VALUES (1000000, 1000000, ?, ?)", 4102444800000, future));
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    while (await stub.flush());
    await stub.applyRetention();
    const head = await stub.select([{ type: "=", name: "__name__", value: "ff_legacy" }], { start: 0, end: 2 ** 53 - 1 });
    const blocks = await env.DB.prepare("SELECT coalesce(sum(num_samples), 0) AS n FROM blocks WHERE shard = 7").first<{ n: number }>();
    // Without the wall-clock anchor everything was cut into blocks and every block fell outside retention.
    expect(head[0]!.t.length).toBeGreaterThan(0);
    expect(head[0]!.t.length + blocks!.n).toBe(n);
  });
});
