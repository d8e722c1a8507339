/**
 * @module
 * Ingest endpoints: bulk import of text lines with timestamps, and the
 * Prometheus remote-write 1.0 receiver. Both require the WRITE_TOKEN when it
 * is set (workers/query/auth.ts).
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { shardedAppender, commitToShards } from "../head/shards.ts";
import { parseImport, ParseError as TextParseError } from "../../shared/textparse/index.ts";
import { decodeWriteRequest, checkRemoteWriteHeaders, RemoteWriteError } from "../../shared/remote/index.ts";
import type { AppendResult, SeriesData } from "../../shared/tsdb/querier.ts";
import type { Labels } from "../../shared/labels/labels.ts";
import { labelsKey, labelsEqual } from "../../shared/labels/labels.ts";
import { SampleBuffer } from "../../shared/tsdb/memory-samples.ts";
import { ApiError } from "../../shared/api/errors.ts";

/**
 * Import samples grouped by series. Import files hold a series' samples in
 * runs, so a sample with the previous sample's labels skips building the
 * series key and the map lookup.
 */
export class ImportBatch {
  #bySeries = new Map<string, { labels: Labels; buf: SampleBuffer }>();
  #last: { labels: Labels; buf: SampleBuffer } | undefined;

  add(labels: Labels, t: number, v: number): void {
    let cur = this.#last;
    if (cur === undefined || !labelsEqual(cur.labels, labels)) {
      const key = labelsKey(labels);
      cur = this.#bySeries.get(key);
      if (cur === undefined) {
        cur = { labels, buf: new SampleBuffer(64) };
        this.#bySeries.set(key, cur);
      }
      this.#last = cur;
    }
    cur.buf.push(t, v);
  }

  series(): SeriesData[] {
    return [...this.#bySeries.values()].map(({ labels, buf }) => ({ labels, t: buf.t.subarray(0, buf.n), v: buf.v.subarray(0, buf.n) }));
  }
}

function rejected(r: AppendResult): number {
  return r.outOfOrder + r.duplicate + r.tooOld;
}

export function ingestRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.post("/api/v1/import/prometheus", async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const batch = new ImportBatch();
    let parsed: number;
    try {
      parsed = parseImport(body, Date.now(), (ls, v, t) => batch.add(ls, t, v));
    } catch (e) {
      // Nothing is appended from a body that does not parse: the whole request is rejected.
      if (e instanceof TextParseError) {
        throw new ApiError("bad_data", `cannot parse import body: ${e.message}`);
      }
      throw e;
    }
    const r = await commitToShards(c.env, batch.series(), { backfill: true });
    return c.json({
      status: "success",
      data: { samplesParsed: parsed, samplesAccepted: r.accepted, outOfOrder: r.outOfOrder, duplicate: r.duplicate, tooOld: r.tooOld },
    });
  });

  app.post("/api/v1/write", async (c) => {
    try {
      checkRemoteWriteHeaders(c.req.header("content-type"), c.req.header("content-encoding"));
      const req = decodeWriteRequest(await c.req.arrayBuffer());
      const appender = shardedAppender(c.env);
      for (const s of req.series) for (let i = 0; i < s.t.length; i++) appender.append(s.labels, s.t[i]!, s.v[i]!);
      const r = await appender.commit();
      // As Prometheus's receiver: invalid series are logged and skipped; samples the
      // head refuses get a 400, which tells the sender not to retry them.
      if (req.invalid.length > 0) console.warn(`remote write: ${req.invalid.length} invalid series dropped, first: ${req.invalid[0]!.labels}: ${req.invalid[0]!.reason}`);
      if (rejected(r) > 0) {
        return c.text(`${r.accepted} samples accepted; ${rejected(r)} rejected (out of order ${r.outOfOrder}, duplicate ${r.duplicate}, too old ${r.tooOld})\n`, 400);
      }
      return c.body(null, 204);
    } catch (e) {
      if (e instanceof RemoteWriteError) return c.text(e.message + "\n", e.status);
      throw e;
    }
  });

  return app;
}
